// Shared helpers of the Med3D oneDNN addon: engine/stream, argument unpacking, primitive caches.
//
// Layout contract (matches main/engine/nn/kernels/KernelProvider.ts): activations NDHWC,
// conv filters DHWIO (tfjs), float32. JS hands us Float32Arrays that alias tfjs's own storage,
// and preallocated Float32Arrays for outputs, so no copies are made on the JS side.
#pragma once

#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace med3d {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

/** Applies the configured thread count to the calling thread (worker threads have their own ICVs). */
void applyThreads();
int configuredThreads();
void setConfiguredThreads(int n);

/** A Float32Array argument (or null when `optional`). */
struct F32 {
  float* data = nullptr;
  size_t length = 0;
};

F32 getF32(const Napi::CallbackInfo& info, size_t i, const char* what, bool optional = false);
std::vector<int64_t> getDims(const Napi::CallbackInfo& info, size_t i, const char* what, size_t n);
double getNumber(const Napi::CallbackInfo& info, size_t i, const char* what);
bool getBool(const Napi::CallbackInfo& info, size_t i, const char* what);

int64_t product(const std::vector<int64_t>& d);
void requireLength(const F32& a, int64_t n, const char* what);

/** NDHWC shape (N, D, H, W, C) -> oneDNN logical dims (N, C, D, H, W). */
memory::dims ncdhw(const std::vector<int64_t>& ndhwc);
/** DHWIO shape (kD, kH, kW, I, O) -> oneDNN logical dims (O, I, kD, kH, kW). */
memory::dims oidhw(const std::vector<int64_t>& dhwio);

/** Executes `prim` with memory in the user layout, reordering to/from the primitive's layout as needed. */
struct Staged {
  memory user;
  memory prim;
  bool reordered = false;
};
Staged stageIn(const memory::desc& want, memory user);
Staged stageOut(const memory::desc& want, memory user);
void finishOut(Staged& s);

/** Thread-safe cache of primitive bundles keyed by a string describing shapes and attributes. */
template <typename T>
class Cache {
 public:
  template <typename Make>
  std::shared_ptr<T> get(const std::string& key, Make make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::shared_ptr<T> v = make();
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() > 512) map_.clear();  // bounded: shapes change rarely; never grow without limit
    map_[key] = v;
    return v;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<T>> map_;
};

std::string keyOf(std::initializer_list<const std::vector<int64_t>*> dims, std::initializer_list<double> extra);

Napi::Value ConvForward(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info);
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info);
Napi::Value BatchNormForward(const Napi::CallbackInfo& info);
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info);
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info);
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info);
Napi::Value AdamUpdate(const Napi::CallbackInfo& info);
Napi::Value Binary(const Napi::CallbackInfo& info);
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value ChannelSum(const Napi::CallbackInfo& info);

}  // namespace med3d
