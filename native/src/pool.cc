// 3D max pooling on NDHWC data, forward and backward (PyTorch semantics: padding never wins
// the max, ties go to the first element of the window).
//
// The KernelProvider hands the backward x and y but no oneDNN workspace (the JS side cannot
// keep it alive across calls), so the backward re-runs a forward_training pass to get the
// argmax workspace. Pooling is memory-bound and cheap next to the convolutions around it.
#include "common.h"

namespace med3d {
namespace {

struct Entry {
  dnnl::pooling_forward::primitive_desc fwdInfer;
  dnnl::pooling_forward fwdInferPrim;
  dnnl::pooling_forward::primitive_desc fwdTrain;
  dnnl::pooling_forward fwdTrainPrim;
  dnnl::pooling_backward::primitive_desc bwd;
  dnnl::pooling_backward bwdPrim;
};

Cache<Entry> cache;

memory::desc dataDesc(const std::vector<int64_t>& dims) { return memory::desc(ncdhw(dims), dt::f32, tag::ndhwc); }

std::shared_ptr<Entry> entryFor(const std::vector<int64_t>& xDims, const std::vector<int64_t>& yDims, const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& strides, const std::vector<int64_t>& pads) {
  std::string key = keyOf({&xDims, &yDims, &kernel, &strides, &pads}, {});
  return cache.get(key, [&] {
    memory::dims k, s, pl, pr;
    for (int a = 0; a < 3; ++a) {
      if (kernel[a] < 1 || strides[a] < 1 || pads[a] < 0) throw std::runtime_error("med3d_onednn: invalid pooling geometry");
      k.push_back(kernel[a]);
      s.push_back(strides[a]);
      pl.push_back(pads[a]);
      int64_t in = xDims[1 + a], out = yDims[1 + a];
      pr.push_back((in + 2 * pads[a] - kernel[a]) / strides[a] + 1 == out ? pads[a] : (out - 1) * strides[a] + kernel[a] - in - pads[a]);
    }
    auto src = dataDesc(xDims), dst = dataDesc(yDims);
    dnnl::pooling_forward::desc fi(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, src, dst, s, k, pl, pr);
    dnnl::pooling_forward::desc ft(dnnl::prop_kind::forward_training, dnnl::algorithm::pooling_max, src, dst, s, k, pl, pr);
    dnnl::pooling_forward::primitive_desc fip(fi, cpuEngine()), ftp(ft, cpuEngine());
    dnnl::pooling_backward::desc b(dnnl::algorithm::pooling_max, src, dst, s, k, pl, pr);
    dnnl::pooling_backward::primitive_desc bp(b, cpuEngine(), ftp);
    return std::make_shared<Entry>(Entry{fip, dnnl::pooling_forward(fip), ftp, dnnl::pooling_forward(ftp), bp, dnnl::pooling_backward(bp)});
  });
}

}  // namespace

// maxPoolForward(x, xDims, out, outDims, kernel, strides, pads)
Napi::Value MaxPoolForward(const Napi::CallbackInfo& info) {
  F32 x = getF32(info, 0, "x");
  auto xDims = getDims(info, 1, "xShape", 5);
  F32 y = getF32(info, 2, "out");
  auto yDims = getDims(info, 3, "outShape", 5);
  auto kernel = getDims(info, 4, "kernel", 3);
  auto strides = getDims(info, 5, "strides", 3);
  auto pads = getDims(info, 6, "pads", 3);
  requireLength(x, product(xDims), "x");
  requireLength(y, product(yDims), "out");
  auto e = entryFor(xDims, yDims, kernel, strides, pads);
  e->fwdInferPrim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(dataDesc(xDims), cpuEngine(), x.data)},
                                        {DNNL_ARG_DST, memory(dataDesc(yDims), cpuEngine(), y.data)}});
  cpuStream().wait();
  return info.Env().Undefined();
}

// maxPoolBackward(dy, dyDims, x, xDims, kernel, strides, pads, dx)
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  F32 dy = getF32(info, 0, "dy");
  auto yDims = getDims(info, 1, "dyShape", 5);
  F32 x = getF32(info, 2, "x");
  auto xDims = getDims(info, 3, "xShape", 5);
  auto kernel = getDims(info, 4, "kernel", 3);
  auto strides = getDims(info, 5, "strides", 3);
  auto pads = getDims(info, 6, "pads", 3);
  F32 dx = getF32(info, 7, "out");
  requireLength(dy, product(yDims), "dy");
  requireLength(x, product(xDims), "x");
  requireLength(dx, product(xDims), "out");
  auto e = entryFor(xDims, yDims, kernel, strides, pads);
  memory ws(e->fwdTrain.workspace_desc(), cpuEngine());
  memory y(dataDesc(yDims), cpuEngine());
  e->fwdTrainPrim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(dataDesc(xDims), cpuEngine(), x.data)}, {DNNL_ARG_DST, y}, {DNNL_ARG_WORKSPACE, ws}});
  e->bwdPrim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(dataDesc(yDims), cpuEngine(), dy.data)},
                                   {DNNL_ARG_DIFF_SRC, memory(dataDesc(xDims), cpuEngine(), dx.data)},
                                   {DNNL_ARG_WORKSPACE, ws}});
  cpuStream().wait();
  return info.Env().Undefined();
}

}  // namespace med3d
