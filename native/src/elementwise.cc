// Memory-bound elementwise kernels (add / sub / mul with scalar or per-channel broadcast,
// ReLU, step, per-channel and total sums) that tfjs's JS 'cpu' backend runs single-threaded
// and that otherwise dominate a training step once the convolutions are native.
#include <algorithm>
#include <vector>

#include "common.h"

namespace med3d {

namespace {
enum BinaryOp { Add = 0, Sub = 1, Mul = 2 };
enum Broadcast { Same = 0, BScalar = 1, AScalar = 2, BChannel = 3, AChannel = 4 };

template <typename F>
void binaryLoop(const float* a, const float* b, float* o, int64_t n, int64_t c, int mode, F f) {
  switch (mode) {
    case Same:
#pragma omp parallel for simd schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
      break;
    case BScalar: {
      const float s = b[0];
#pragma omp parallel for simd schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], s);
      break;
    }
    case AScalar: {
      const float s = a[0];
#pragma omp parallel for simd schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; ++i) o[i] = f(s, b[i]);
      break;
    }
    case BChannel: {
      const int64_t rows = n / c;
#pragma omp parallel for schedule(static) if (n > 65536)
      for (int64_t r = 0; r < rows; ++r) {
        const float* ar = a + r * c;
        float* orow = o + r * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) orow[k] = f(ar[k], b[k]);
      }
      break;
    }
    case AChannel: {
      const int64_t rows = n / c;
#pragma omp parallel for schedule(static) if (n > 65536)
      for (int64_t r = 0; r < rows; ++r) {
        const float* br = b + r * c;
        float* orow = o + r * c;
#pragma omp simd
        for (int64_t k = 0; k < c; ++k) orow[k] = f(a[k], br[k]);
      }
      break;
    }
    default:
      throw std::runtime_error("med3d_onednn: unknown broadcast mode");
  }
}
}  // namespace

// binary(op, a, b, out, mode, channels): out has the size of the larger operand.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(getNumber(info, 0, "op"));
  F32 a = getF32(info, 1, "a");
  F32 b = getF32(info, 2, "b");
  F32 o = getF32(info, 3, "out");
  int mode = static_cast<int>(getNumber(info, 4, "mode"));
  int64_t c = static_cast<int64_t>(getNumber(info, 5, "channels"));
  const int64_t n = static_cast<int64_t>(o.length);
  const int64_t na = static_cast<int64_t>(a.length), nb = static_cast<int64_t>(b.length);
  bool ok = (mode == Same && na == n && nb == n) || (mode == BScalar && na == n && nb == 1) || (mode == AScalar && nb == n && na == 1) ||
            (mode == BChannel && c > 0 && na == n && nb == c && n % c == 0) || (mode == AChannel && c > 0 && nb == n && na == c && n % c == 0);
  if (!ok) throw std::runtime_error("med3d_onednn: binary operand sizes do not match the broadcast mode");
  if (op == Add) binaryLoop(a.data, b.data, o.data, n, c, mode, [](float x, float y) { return x + y; });
  else if (op == Sub) binaryLoop(a.data, b.data, o.data, n, c, mode, [](float x, float y) { return x - y; });
  else if (op == Mul) binaryLoop(a.data, b.data, o.data, n, c, mode, [](float x, float y) { return x * y; });
  else throw std::runtime_error("med3d_onednn: unknown binary op");
  return info.Env().Undefined();
}

// unary(op, x, out, alpha): 0 = relu (NaN propagates), 1 = step (x > 0 ? 1 : alpha; NaN stays NaN).
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(getNumber(info, 0, "op"));
  F32 x = getF32(info, 1, "x");
  F32 o = getF32(info, 2, "out");
  const float alpha = static_cast<float>(getNumber(info, 3, "alpha"));
  const int64_t n = static_cast<int64_t>(x.length);
  requireLength(o, n, "out");
  const float* X = x.data;
  float* O = o.data;
  if (op == 0) {
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) O[i] = X[i] < 0.0f ? 0.0f : X[i];
  } else if (op == 1) {
#pragma omp parallel for simd schedule(static) if (n > 65536)
    for (int64_t i = 0; i < n; ++i) O[i] = X[i] > 0.0f ? 1.0f : (X[i] != X[i] ? X[i] : alpha);
  } else {
    throw std::runtime_error("med3d_onednn: unknown unary op");
  }
  return info.Env().Undefined();
}

// channelSum(x, channels, out): out[c] = sum over rows of x[r * channels + c] (channels = 1: total).
// Partial sums per thread in double, so the result does not depend on the thread count's rounding.
Napi::Value ChannelSum(const Napi::CallbackInfo& info) {
  F32 x = getF32(info, 0, "x");
  const int64_t c = static_cast<int64_t>(getNumber(info, 1, "channels"));
  F32 o = getF32(info, 2, "out");
  const int64_t n = static_cast<int64_t>(x.length);
  if (c < 1 || n % c != 0) throw std::runtime_error("med3d_onednn: channelSum: size is not a multiple of channels");
  requireLength(o, c, "out");
  const int64_t rows = n / c;
  const float* X = x.data;
  const int nt = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(nt) * static_cast<size_t>(c), 0.0);
#pragma omp parallel num_threads(nt) if (n > 65536)
  {
    double* acc = partial.data() + static_cast<size_t>(omp_get_thread_num()) * static_cast<size_t>(c);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = X + r * c;
      for (int64_t k = 0; k < c; ++k) acc[k] += xr[k];
    }
  }
  for (int64_t k = 0; k < c; ++k) {
    double s = 0;
    for (int t = 0; t < nt; ++t) s += partial[static_cast<size_t>(t) * static_cast<size_t>(c) + static_cast<size_t>(k)];
    o.data[k] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

}  // namespace med3d
