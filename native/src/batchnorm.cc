// Batch normalisation over N, D, H, W of NDHWC data: training forward (batch statistics),
// inference forward (running statistics), backward; optional fused ReLU.
//
// oneDNN 2.6's backward rejects separate scale/shift flags, so scale and shift travel packed
// in one 2 x C buffer (`use_scale_shift`). The fused-ReLU backward is done by masking dy
// with y > 0 into dx first and running the BN backward in place on dx, which needs no
// forward workspace to be kept alive between the JS calls.
#include <algorithm>
#include <vector>

#include "common.h"

namespace med3d {
namespace {

using nf = dnnl::normalization_flags;

struct FwdEntry {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};

struct BwdEntry {
  dnnl::batch_normalization_backward::primitive_desc pd;
  dnnl::batch_normalization_backward prim;
};

Cache<FwdEntry> fwdCache;
Cache<BwdEntry> bwdCache;

memory::desc dataDesc(const std::vector<int64_t>& dims) { return memory::desc(ncdhw(dims), dt::f32, tag::ndhwc); }

}  // namespace

// batchNormForward(x, dims, gamma, beta, mean|null, variance|null, eps, relu, training, y, outMean|null, outVar|null)
Napi::Value BatchNormForward(const Napi::CallbackInfo& info) {
  F32 x = getF32(info, 0, "x");
  auto dims = getDims(info, 1, "shape", 5);
  F32 gamma = getF32(info, 2, "gamma");
  F32 beta = getF32(info, 3, "beta");
  F32 mean = getF32(info, 4, "mean", true);
  F32 var = getF32(info, 5, "variance", true);
  float eps = static_cast<float>(getNumber(info, 6, "eps"));
  bool relu = getBool(info, 7, "relu");
  bool training = getBool(info, 8, "training");
  F32 y = getF32(info, 9, "out");
  F32 outMean = getF32(info, 10, "outMean", true);
  F32 outVar = getF32(info, 11, "outVariance", true);
  const int64_t C = dims[4], n = product(dims);
  requireLength(x, n, "x");
  requireLength(y, n, "out");
  requireLength(gamma, C, "gamma");
  requireLength(beta, C, "beta");
  F32 statMean = training ? outMean : mean;
  F32 statVar = training ? outVar : var;
  if (!statMean.data || !statVar.data) throw std::runtime_error("med3d_onednn: batch norm needs mean and variance buffers");
  requireLength(statMean, C, "mean");
  requireLength(statVar, C, "variance");

  std::string key = keyOf({&dims}, {double(eps), double(relu), double(training)});
  auto e = fwdCache.get(key, [&] {
    nf flags = nf::use_scale_shift;
    if (!training) flags = flags | nf::use_global_stats;
    if (relu) flags = flags | nf::fuse_norm_relu;
    dnnl::prop_kind pk = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    dnnl::batch_normalization_forward::desc d(pk, dataDesc(dims), eps, flags);
    dnnl::batch_normalization_forward::primitive_desc pd(d, cpuEngine());
    return std::make_shared<FwdEntry>(FwdEntry{pd, dnnl::batch_normalization_forward(pd)});
  });

  std::vector<float> ss(static_cast<size_t>(2 * C));
  std::copy(gamma.data, gamma.data + C, ss.begin());
  std::copy(beta.data, beta.data + C, ss.begin() + C);
  memory::desc statMd({C}, dt::f32, tag::x);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, memory(dataDesc(dims), cpuEngine(), x.data)},
      {DNNL_ARG_DST, memory(dataDesc(dims), cpuEngine(), y.data)},
      {DNNL_ARG_SCALE_SHIFT, memory(memory::desc({2, C}, dt::f32, tag::nc), cpuEngine(), ss.data())},
      {DNNL_ARG_MEAN, memory(statMd, cpuEngine(), statMean.data)},
      {DNNL_ARG_VARIANCE, memory(statMd, cpuEngine(), statVar.data)},
  };
  if (e->pd.workspace_desc().get_size() > 0) args.insert({DNNL_ARG_WORKSPACE, memory(e->pd.workspace_desc(), cpuEngine())});
  e->prim.execute(cpuStream(), args);
  cpuStream().wait();
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, dims, gamma, mean, variance, eps, y|null, dx, dgamma, dbeta)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  F32 dy = getF32(info, 0, "dy");
  F32 x = getF32(info, 1, "x");
  auto dims = getDims(info, 2, "shape", 5);
  F32 gamma = getF32(info, 3, "gamma");
  F32 mean = getF32(info, 4, "mean");
  F32 var = getF32(info, 5, "variance");
  float eps = static_cast<float>(getNumber(info, 6, "eps"));
  F32 y = getF32(info, 7, "y", true);
  F32 dx = getF32(info, 8, "dx");
  F32 dgamma = getF32(info, 9, "dgamma");
  F32 dbeta = getF32(info, 10, "dbeta");
  const int64_t C = dims[4], n = product(dims);
  requireLength(dy, n, "dy");
  requireLength(x, n, "x");
  requireLength(dx, n, "dx");
  if (y.data) requireLength(y, n, "y");
  for (const F32* a : {&gamma, &mean, &var, &dgamma, &dbeta}) requireLength(*a, C, "per-channel argument");

  std::string key = keyOf({&dims}, {double(eps)});
  auto e = bwdCache.get(key, [&] {
    nf flags = nf::use_scale_shift;
    dnnl::batch_normalization_forward::desc fd(dnnl::prop_kind::forward_training, dataDesc(dims), eps, flags);
    dnnl::batch_normalization_forward::primitive_desc hint(fd, cpuEngine());
    dnnl::batch_normalization_backward::desc d(dnnl::prop_kind::backward, dataDesc(dims), dataDesc(dims), eps, flags);
    dnnl::batch_normalization_backward::primitive_desc pd(d, cpuEngine(), hint);
    return std::make_shared<BwdEntry>(BwdEntry{pd, dnnl::batch_normalization_backward(pd)});
  });

  float* diffDst = dy.data;
  if (y.data) {
    // ReLU backward folded in: dy where the (post-ReLU) output was positive, else 0.
    float* out = dx.data;
    const float* g = dy.data;
    const float* yy = y.data;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) out[i] = yy[i] > 0.0f ? g[i] : 0.0f;
    diffDst = dx.data;
  }
  std::vector<float> ss(static_cast<size_t>(2 * C), 0.0f), dss(static_cast<size_t>(2 * C));
  std::copy(gamma.data, gamma.data + C, ss.begin());
  memory::desc statMd({C}, dt::f32, tag::x);
  memory::desc ssMd({2, C}, dt::f32, tag::nc);
  e->prim.execute(cpuStream(), {
                                   {DNNL_ARG_SRC, memory(dataDesc(dims), cpuEngine(), x.data)},
                                   {DNNL_ARG_MEAN, memory(statMd, cpuEngine(), mean.data)},
                                   {DNNL_ARG_VARIANCE, memory(statMd, cpuEngine(), var.data)},
                                   {DNNL_ARG_DIFF_DST, memory(dataDesc(dims), cpuEngine(), diffDst)},
                                   {DNNL_ARG_SCALE_SHIFT, memory(ssMd, cpuEngine(), ss.data())},
                                   {DNNL_ARG_DIFF_SRC, memory(dataDesc(dims), cpuEngine(), dx.data)},
                                   {DNNL_ARG_DIFF_SCALE_SHIFT, memory(ssMd, cpuEngine(), dss.data())},
                               });
  cpuStream().wait();
  std::copy(dss.begin(), dss.begin() + C, dgamma.data);
  std::copy(dss.begin() + C, dss.end(), dbeta.data);
  return info.Env().Undefined();
}

}  // namespace med3d
