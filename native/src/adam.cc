// Adam update (PyTorch torch.optim.Adam semantics, weight_decay as L2 added to the gradient),
// one fused pass over param, grad and both moments, written to fresh output buffers.
#include <cmath>

#include "common.h"

namespace med3d {

// adamUpdate(param, grad, m, v, lr, beta1, beta2, eps, step, weightDecay, outParam, outM, outV)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  F32 p = getF32(info, 0, "param");
  F32 g = getF32(info, 1, "grad");
  F32 m = getF32(info, 2, "m");
  F32 v = getF32(info, 3, "v");
  const double lr = getNumber(info, 4, "lr");
  const double beta1 = getNumber(info, 5, "beta1");
  const double beta2 = getNumber(info, 6, "beta2");
  // (1 - beta) in double before rounding: 1 - 0.999f is 1.3e-5 off 0.001 in relative terms.
  const float b1 = static_cast<float>(beta1), omb1 = static_cast<float>(1.0 - beta1);
  const float b2 = static_cast<float>(beta2), omb2 = static_cast<float>(1.0 - beta2);
  const float eps = static_cast<float>(getNumber(info, 7, "eps"));
  const double step = getNumber(info, 8, "step");
  const float wd = static_cast<float>(getNumber(info, 9, "weightDecay"));
  F32 po = getF32(info, 10, "outParam");
  F32 mo = getF32(info, 11, "outM");
  F32 vo = getF32(info, 12, "outV");
  const int64_t n = static_cast<int64_t>(p.length);
  for (const F32* a : {&g, &m, &v, &po, &mo, &vo}) requireLength(*a, n, "Adam buffer");
  if (step < 1) throw std::runtime_error("med3d_onednn: Adam step must be >= 1");

  // Same operation order as PyTorch's single-tensor Adam (1.13): bias corrections in double,
  // denom = sqrt(v) / sqrt(bc2) + eps, param -= (lr / bc1) * m / denom.
  const double bc1 = 1.0 - std::pow(beta1, step);
  const double bc2 = 1.0 - std::pow(beta2, step);
  const float stepSize = static_cast<float>(lr / bc1);
  const float bc2Sqrt = static_cast<float>(std::sqrt(bc2));
  const float* P = p.data;
  const float* G = g.data;
  const float* M = m.data;
  const float* V = v.data;
  float* PO = po.data;
  float* MO = mo.data;
  float* VO = vo.data;
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) {
    float gi = G[i] + wd * P[i];
    float mi = b1 * M[i] + omb1 * gi;
    float vi = b2 * V[i] + omb2 * (gi * gi);
    float denom = std::sqrt(vi) / bc2Sqrt + eps;
    MO[i] = mi;
    VO[i] = vi;
    PO[i] = P[i] - stepSize * (mi / denom);
  }
  return info.Env().Undefined();
}

}  // namespace med3d
