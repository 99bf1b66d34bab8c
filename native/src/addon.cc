// Entry point of the Med3D oneDNN addon: module exports, argument helpers, threads.
#include <atomic>
#include <sstream>

#include "common.h"

namespace med3d {

dnnl::engine& cpuEngine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& cpuStream() {
  // One stream per JS thread (main or worker_threads): streams are not shared across threads.
  thread_local dnnl::stream s(cpuEngine());
  return s;
}

static std::atomic<int> g_threads{0};

int configuredThreads() {
  int n = g_threads.load();
  return n > 0 ? n : omp_get_max_threads();
}

void setConfiguredThreads(int n) { g_threads.store(n > 0 ? n : 0); }

void applyThreads() {
  int n = g_threads.load();
  if (n > 0 && omp_get_max_threads() != n) omp_set_num_threads(n);
}

F32 getF32(const Napi::CallbackInfo& info, size_t i, const char* what, bool optional) {
  Napi::Value v = info[i];
  F32 r;
  if (optional && (v.IsNull() || v.IsUndefined())) return r;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must be a Float32Array");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  r.data = a.Data();
  r.length = a.ElementLength();
  return r;
}

std::vector<int64_t> getDims(const Napi::CallbackInfo& info, size_t i, const char* what, size_t n) {
  Napi::Value v = info[i];
  if (!v.IsArray()) throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() != n) {
    throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must have " + std::to_string(n) + " entries");
  }
  std::vector<int64_t> d(n);
  for (uint32_t k = 0; k < n; ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must hold numbers");
    d[k] = e.As<Napi::Number>().Int64Value();
  }
  return d;
}

double getNumber(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

bool getBool(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string("med3d_onednn: ") + what + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

int64_t product(const std::vector<int64_t>& d) {
  int64_t p = 1;
  for (int64_t v : d) p *= v;
  return p;
}

void requireLength(const F32& a, int64_t n, const char* what) {
  if (static_cast<int64_t>(a.length) != n) {
    std::ostringstream os;
    os << "med3d_onednn: " << what << " has " << a.length << " elements, expected " << n;
    throw std::runtime_error(os.str());
  }
}

memory::dims ncdhw(const std::vector<int64_t>& s) { return {s[0], s[4], s[1], s[2], s[3]}; }
memory::dims oidhw(const std::vector<int64_t>& s) { return {s[4], s[3], s[0], s[1], s[2]}; }

Staged stageIn(const memory::desc& want, memory user) {
  Staged s{user, user, false};
  if (want != user.get_desc()) {
    s.prim = memory(want, cpuEngine());
    dnnl::reorder(user, s.prim).execute(cpuStream(), user, s.prim);
    s.reordered = true;
  }
  return s;
}

Staged stageOut(const memory::desc& want, memory user) {
  Staged s{user, user, false};
  if (want != user.get_desc()) {
    s.prim = memory(want, cpuEngine());
    s.reordered = true;
  }
  return s;
}

void finishOut(Staged& s) {
  if (s.reordered) dnnl::reorder(s.prim, s.user).execute(cpuStream(), s.prim, s.user);
}

std::string keyOf(std::initializer_list<const std::vector<int64_t>*> dims, std::initializer_list<double> extra) {
  std::string k;
  k.reserve(128);
  for (const auto* d : dims) {
    for (int64_t v : *d) {
      k += std::to_string(v);
      k += ',';
    }
    k += '|';
  }
  for (double e : extra) {
    k += std::to_string(e);
    k += ';';
  }
  return k;
}

}  // namespace med3d

using namespace med3d;

// Wraps a kernel so C++ and oneDNN errors surface as JS exceptions with a readable message.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
static Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    applyThreads();
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what() + " (status " + std::to_string(static_cast<int>(e.status)) + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(getNumber(info, 0, "threads"));
  setConfiguredThreads(n);
  applyThreads();
  return Napi::Number::New(info.Env(), configuredThreads());
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const dnnl_version_t* v = dnnl_version();
  o.Set("dnnlVersion", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("dnnlHash", std::string(v->hash ? v->hash : ""));
  o.Set("threads", configuredThreads());
  o.Set("ompMaxThreads", omp_get_max_threads());
  o.Set("ompProcs", omp_get_num_procs());
  const char* isa = "unknown";
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: isa = "sse41"; break;
    case dnnl::cpu_isa::avx: isa = "avx"; break;
    case dnnl::cpu_isa::avx2: isa = "avx2"; break;
    case dnnl::cpu_isa::avx2_vnni: isa = "avx2_vnni"; break;
    case dnnl::cpu_isa::avx512_core: isa = "avx512_core"; break;
    case dnnl::cpu_isa::avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case dnnl::cpu_isa::avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case dnnl::cpu_isa::avx512_core_amx: isa = "avx512_core_amx"; break;
    default: break;
  }
  o.Set("isa", isa);
  return o;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, guarded<ConvForward>, "convForward"));
  exports.Set("convBackwardData", Napi::Function::New(env, guarded<ConvBackwardData>, "convBackwardData"));
  exports.Set("convBackwardWeights", Napi::Function::New(env, guarded<ConvBackwardWeights>, "convBackwardWeights"));
  exports.Set("batchNormForward", Napi::Function::New(env, guarded<BatchNormForward>, "batchNormForward"));
  exports.Set("batchNormBackward", Napi::Function::New(env, guarded<BatchNormBackward>, "batchNormBackward"));
  exports.Set("maxPoolForward", Napi::Function::New(env, guarded<MaxPoolForward>, "maxPoolForward"));
  exports.Set("maxPoolBackward", Napi::Function::New(env, guarded<MaxPoolBackward>, "maxPoolBackward"));
  exports.Set("adamUpdate", Napi::Function::New(env, guarded<AdamUpdate>, "adamUpdate"));
  exports.Set("binary", Napi::Function::New(env, guarded<Binary>, "binary"));
  exports.Set("unary", Napi::Function::New(env, guarded<Unary>, "unary"));
  exports.Set("channelSum", Napi::Function::New(env, guarded<ChannelSum>, "channelSum"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  return exports;
}

NODE_API_MODULE(med3d_onednn, Init)
