// 3D convolution: forward (+ fused bias / residual add / ReLU), backward data, backward weights.
//
// Shapes arrive in tfjs order (NDHWC activations, DHWIO filters) and are described to oneDNN
// with the matching format tags, so JS never transposes. For the compute itself oneDNN may
// prefer blocked layouts (nCdhw16c, OIdhw16i16o): we let it choose (`format_tag::any`) where
// that pays and reorder at the edges (see layoutFwd & co). MED3D_ONEDNN_LAYOUT[_FWD|_BWD_DATA|
// _BWD_WEIGHTS]=any|nxc|direct overrides the policy (for benchmarking) and
// MED3D_ONEDNN_VERBOSE=1 prints the implementation each primitive picked.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common.h"

namespace med3d {
namespace {

struct Geometry {
  memory::dims strides, dilates, padL, padR;
};

// oneDNN wants right padding consistent with the output size: out = (in + pl + pr - span) / s + 1
// (integer division). PyTorch pads symmetrically and floors; when symmetric padding is
// consistent we keep it, otherwise (e.g. transposed convs with output_padding) we use the
// exact fit.
int64_t rightPad(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
  int64_t span = (k - 1) * d + 1;
  if ((in + 2 * p - span) >= 0 && (in + 2 * p - span) / s + 1 == out) return p;
  return (out - 1) * s + span - in - p;
}

Geometry geometry(const std::vector<int64_t>& xDims, const std::vector<int64_t>& wDims, const std::vector<int64_t>& yDims,
                  const std::vector<int64_t>& strides, const std::vector<int64_t>& pads, const std::vector<int64_t>& dil) {
  Geometry g;
  for (int a = 0; a < 3; ++a) {
    if (strides[a] < 1 || dil[a] < 1 || pads[a] < 0) throw std::runtime_error("med3d_onednn: conv strides/dilations must be >= 1 and pads >= 0");
    g.strides.push_back(strides[a]);
    g.dilates.push_back(dil[a] - 1);  // oneDNN counts dilation from 0
    g.padL.push_back(pads[a]);
    g.padR.push_back(rightPad(xDims[1 + a], yDims[1 + a], wDims[a], strides[a], pads[a], dil[a]));
  }
  return g;
}

// Layout policy for activations (weights always let oneDNN choose, except in 'direct'):
// 'any' lets oneDNN pick blocked activations too (reorders at the edges), 'nxc' keeps NDHWC
// activations (no activation reorders), 'direct' forces NDHWC + DHWIO everywhere.
enum class Layout { Any, Nxc, Direct };

Layout layoutFor(const char* op) {
  std::string envName = std::string("MED3D_ONEDNN_LAYOUT_") + op;
  const char* v = std::getenv(envName.c_str());
  if (!v) v = std::getenv("MED3D_ONEDNN_LAYOUT");
  if (v && std::strcmp(v, "direct") == 0) return Layout::Direct;
  if (v && std::strcmp(v, "any") == 0) return Layout::Any;
  if (v && std::strcmp(v, "nxc") == 0) return Layout::Nxc;
  return Layout::Any;
}

const char* layoutOverride(const char* op) {
  std::string envName = std::string("MED3D_ONEDNN_LAYOUT_") + op;
  const char* v = std::getenv(envName.c_str());
  return v ? v : std::getenv("MED3D_ONEDNN_LAYOUT");
}

// Defaults measured on AVX-512 (oneDNN 2.6): blocked activations pay for forward and
// backward-data; with a 1-channel input (conv1) the blocked input is padded 16x and the brgemm
// kernel on NDHWC wins; dilated backward-weights has no jit kernel (gemm either way), so
// NDHWC there saves the activation reorders.
Layout layoutFwd(int64_t ic) {
  static const char* o = layoutOverride("FWD");
  if (o) return layoutFor("FWD");
  return ic < 16 ? Layout::Nxc : Layout::Any;
}
Layout layoutBwdData() {
  static const char* o = layoutOverride("BWD_DATA");
  if (o) return layoutFor("BWD_DATA");
  return Layout::Any;
}
Layout layoutBwdWeights(bool dilated) {
  static const char* o = layoutOverride("BWD_WEIGHTS");
  if (o) return layoutFor("BWD_WEIGHTS");
  return dilated ? Layout::Nxc : Layout::Any;
}

bool verbose() {
  static const bool v = [] {
    const char* e = std::getenv("MED3D_ONEDNN_VERBOSE");
    return e && *e && std::strcmp(e, "0") != 0;
  }();
  return v;
}

void checkShapes(const std::vector<int64_t>& x, const std::vector<int64_t>& w, const std::vector<int64_t>& y) {
  if (x[4] != w[3]) throw std::runtime_error("med3d_onednn: conv input has " + std::to_string(x[4]) + " channels, filter expects " + std::to_string(w[3]));
  if (y[4] != w[4]) throw std::runtime_error("med3d_onednn: conv output has " + std::to_string(y[4]) + " channels, filter gives " + std::to_string(w[4]));
  if (x[0] != y[0]) throw std::runtime_error("med3d_onednn: conv batch sizes differ");
}

memory::desc plain(const memory::dims& d, tag t) { return memory::desc(d, dt::f32, t); }
memory::desc actDesc(const memory::dims& d, Layout l) { return memory::desc(d, dt::f32, l == Layout::Any ? tag::any : tag::ndhwc); }
memory::desc wtDesc(const memory::dims& d, Layout l) { return memory::desc(d, dt::f32, l == Layout::Direct ? tag::dhwio : tag::any); }

dnnl::convolution_forward::desc fwdDesc(dnnl::prop_kind pk, const memory::desc& src, const memory::desc& w, const memory::desc* bias,
                                        const memory::desc& dst, const Geometry& g) {
  if (bias) {
    return dnnl::convolution_forward::desc(pk, dnnl::algorithm::convolution_direct, src, w, *bias, dst, g.strides, g.dilates, g.padL, g.padR);
  }
  return dnnl::convolution_forward::desc(pk, dnnl::algorithm::convolution_direct, src, w, dst, g.strides, g.dilates, g.padL, g.padR);
}

struct FwdEntry {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};

struct BwdDataEntry {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};

struct BwdWeightsEntry {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
};

Cache<FwdEntry> fwdCache;
Cache<BwdDataEntry> bwdDataCache;
Cache<BwdWeightsEntry> bwdWeightsCache;

void parallelCopy(float* dst, const float* src, int64_t n) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i += 4096) {
    int64_t len = std::min<int64_t>(4096, n - i);
    std::memcpy(dst + i, src + i, static_cast<size_t>(len) * sizeof(float));
  }
}

}  // namespace

// convForward(x, xDims, w, wDims, bias|null, residual|null, relu, strides, pads, dilations, out, outDims)
Napi::Value ConvForward(const Napi::CallbackInfo& info) {
  F32 x = getF32(info, 0, "x");
  auto xDims = getDims(info, 1, "xShape", 5);
  F32 w = getF32(info, 2, "filter");
  auto wDims = getDims(info, 3, "filterShape", 5);
  F32 bias = getF32(info, 4, "bias", true);
  F32 res = getF32(info, 5, "residual", true);
  bool relu = getBool(info, 6, "relu");
  auto strides = getDims(info, 7, "strides", 3);
  auto pads = getDims(info, 8, "pads", 3);
  auto dil = getDims(info, 9, "dilations", 3);
  F32 y = getF32(info, 10, "out");
  auto yDims = getDims(info, 11, "outShape", 5);
  checkShapes(xDims, wDims, yDims);
  requireLength(x, product(xDims), "x");
  requireLength(w, product(wDims), "filter");
  requireLength(y, product(yDims), "out");
  if (bias.data) requireLength(bias, wDims[4], "bias");
  if (res.data) requireLength(res, product(yDims), "residual");

  Geometry g = geometry(xDims, wDims, yDims, strides, pads, dil);
  const Layout lay = layoutFwd(xDims[4]);
  const bool hasBias = bias.data != nullptr, hasRes = res.data != nullptr;
  std::string key = keyOf({&xDims, &wDims, &yDims, &strides, &pads, &dil}, {double(hasBias), double(hasRes), double(relu), double(int(lay))});
  auto e = fwdCache.get(key, [&] {
    memory::desc src = actDesc(ncdhw(xDims), lay);
    memory::desc wt = wtDesc(oidhw(wDims), lay);
    memory::desc dst = actDesc(ncdhw(yDims), lay);
    memory::desc bmd = plain({wDims[4]}, tag::x);
    dnnl::post_ops ops;
    if (hasRes) ops.append_sum(1.0f);
    if (relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    auto d = fwdDesc(dnnl::prop_kind::forward_training, src, wt, hasBias ? &bmd : nullptr, dst, g);
    dnnl::convolution_forward::primitive_desc pd(d, attr, cpuEngine());
    if (verbose()) std::fprintf(stderr, "[med3d_onednn] conv fwd %s -> %s\n", key.c_str(), pd.impl_info_str());
    return std::make_shared<FwdEntry>(FwdEntry{pd, dnnl::convolution_forward(pd)});
  });

  memory xu(plain(ncdhw(xDims), tag::ndhwc), cpuEngine(), x.data);
  memory wu(plain(oidhw(wDims), tag::dhwio), cpuEngine(), w.data);
  memory yu(plain(ncdhw(yDims), tag::ndhwc), cpuEngine(), y.data);
  Staged xs = stageIn(e->pd.src_desc(), xu);
  Staged ws = stageIn(e->pd.weights_desc(), wu);
  Staged ys = stageOut(e->pd.dst_desc(), yu);
  if (hasRes) {
    // The sum post-op accumulates into dst, so dst starts as the residual (in dst's layout).
    memory ru(plain(ncdhw(yDims), tag::ndhwc), cpuEngine(), res.data);
    if (ys.reordered) {
      dnnl::reorder(ru, ys.prim).execute(cpuStream(), ru, ys.prim);
    } else {
      parallelCopy(y.data, res.data, product(yDims));
    }
  }
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, xs.prim}, {DNNL_ARG_WEIGHTS, ws.prim}, {DNNL_ARG_DST, ys.prim}};
  if (hasBias) args.insert({DNNL_ARG_BIAS, memory(plain({wDims[4]}, tag::x), cpuEngine(), bias.data)});
  e->prim.execute(cpuStream(), args);
  finishOut(ys);
  cpuStream().wait();
  return info.Env().Undefined();
}

// convBackwardData(dy, dyDims, w, wDims, dx, dxDims, strides, pads, dilations)
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  F32 dy = getF32(info, 0, "dy");
  auto yDims = getDims(info, 1, "dyShape", 5);
  F32 w = getF32(info, 2, "filter");
  auto wDims = getDims(info, 3, "filterShape", 5);
  F32 dx = getF32(info, 4, "out");
  auto xDims = getDims(info, 5, "xShape", 5);
  auto strides = getDims(info, 6, "strides", 3);
  auto pads = getDims(info, 7, "pads", 3);
  auto dil = getDims(info, 8, "dilations", 3);
  checkShapes(xDims, wDims, yDims);
  requireLength(dy, product(yDims), "dy");
  requireLength(w, product(wDims), "filter");
  requireLength(dx, product(xDims), "out");

  Geometry g = geometry(xDims, wDims, yDims, strides, pads, dil);
  const Layout lay = layoutBwdData();
  std::string key = keyOf({&xDims, &wDims, &yDims, &strides, &pads, &dil}, {double(int(lay))});
  auto e = bwdDataCache.get(key, [&] {
    memory::desc src = actDesc(ncdhw(xDims), lay);
    memory::desc wt = wtDesc(oidhw(wDims), lay);
    memory::desc dst = actDesc(ncdhw(yDims), lay);
    auto fd = fwdDesc(dnnl::prop_kind::forward_training, src, wt, nullptr, dst, g);
    dnnl::convolution_forward::primitive_desc hint(fd, cpuEngine());
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, src, wt, dst, g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
    if (verbose()) std::fprintf(stderr, "[med3d_onednn] conv bwd-data %s -> %s\n", key.c_str(), pd.impl_info_str());
    return std::make_shared<BwdDataEntry>(BwdDataEntry{pd, dnnl::convolution_backward_data(pd)});
  });

  memory dyu(plain(ncdhw(yDims), tag::ndhwc), cpuEngine(), dy.data);
  memory wu(plain(oidhw(wDims), tag::dhwio), cpuEngine(), w.data);
  memory dxu(plain(ncdhw(xDims), tag::ndhwc), cpuEngine(), dx.data);
  Staged dys = stageIn(e->pd.diff_dst_desc(), dyu);
  Staged ws = stageIn(e->pd.weights_desc(), wu);
  Staged dxs = stageOut(e->pd.diff_src_desc(), dxu);
  e->prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, dys.prim}, {DNNL_ARG_WEIGHTS, ws.prim}, {DNNL_ARG_DIFF_SRC, dxs.prim}});
  finishOut(dxs);
  cpuStream().wait();
  return info.Env().Undefined();
}

// convBackwardWeights(x, xDims, dy, dyDims, dw, wDims, strides, pads, dilations)
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info) {
  F32 x = getF32(info, 0, "x");
  auto xDims = getDims(info, 1, "xShape", 5);
  F32 dy = getF32(info, 2, "dy");
  auto yDims = getDims(info, 3, "dyShape", 5);
  F32 dw = getF32(info, 4, "out");
  auto wDims = getDims(info, 5, "filterShape", 5);
  auto strides = getDims(info, 6, "strides", 3);
  auto pads = getDims(info, 7, "pads", 3);
  auto dil = getDims(info, 8, "dilations", 3);
  checkShapes(xDims, wDims, yDims);
  requireLength(x, product(xDims), "x");
  requireLength(dy, product(yDims), "dy");
  requireLength(dw, product(wDims), "out");

  Geometry g = geometry(xDims, wDims, yDims, strides, pads, dil);
  const Layout lay = layoutBwdWeights(dil[0] > 1 || dil[1] > 1 || dil[2] > 1);
  std::string key = keyOf({&xDims, &wDims, &yDims, &strides, &pads, &dil}, {double(int(lay))});
  auto e = bwdWeightsCache.get(key, [&] {
    memory::desc src = actDesc(ncdhw(xDims), lay);
    memory::desc wt = wtDesc(oidhw(wDims), lay);
    memory::desc dst = actDesc(ncdhw(yDims), lay);
    auto fd = fwdDesc(dnnl::prop_kind::forward_training, src, wt, nullptr, dst, g);
    dnnl::convolution_forward::primitive_desc hint(fd, cpuEngine());
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, src, wt, dst, g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
    if (verbose()) std::fprintf(stderr, "[med3d_onednn] conv bwd-weights %s -> %s\n", key.c_str(), pd.impl_info_str());
    return std::make_shared<BwdWeightsEntry>(BwdWeightsEntry{pd, dnnl::convolution_backward_weights(pd)});
  });

  memory xu(plain(ncdhw(xDims), tag::ndhwc), cpuEngine(), x.data);
  memory dyu(plain(ncdhw(yDims), tag::ndhwc), cpuEngine(), dy.data);
  memory dwu(plain(oidhw(wDims), tag::dhwio), cpuEngine(), dw.data);
  Staged xs = stageIn(e->pd.src_desc(), xu);
  Staged dys = stageIn(e->pd.diff_dst_desc(), dyu);
  Staged dws = stageOut(e->pd.diff_weights_desc(), dwu);
  e->prim.execute(cpuStream(), {{DNNL_ARG_SRC, xs.prim}, {DNNL_ARG_DIFF_DST, dys.prim}, {DNNL_ARG_DIFF_WEIGHTS, dws.prim}});
  finishOut(dws);
  cpuStream().wait();
  return info.Env().Undefined();
}

}  // namespace med3d
