/**
 * Float64 naive loops for every provider kernel: slow, obviously correct, used only by the
 * shared conformance suite. Layouts as the provider: NDHWC activations, DHWIO filters.
 */
import type { Conv3dGeometry, Pool3dGeometry } from './KernelProvider';

export type Shape = readonly number[];

function outSize(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function convOut(xs: Shape, ws: Shape, g: Conv3dGeometry): number[] {
  return [xs[0], ...[0, 1, 2].map((a) => outSize(xs[a + 1], ws[a], g.strides[a], g.pads[a], g.dilations[a])), ws[4]];
}

/** Visit every (output voxel, tap, in-channel) pair of a convolution with its flat indices. */
function forEachTap(
  xs: Shape,
  ws: Shape,
  g: Conv3dGeometry,
  visit: (xi: number, wi: number, yi: number, co: number) => void,
): number[] {
  const ys = convOut(xs, ws, g);
  const [N, D, H, W, Ci] = xs;
  const [KD, KH, KW, , Co] = ws;
  for (let n = 0; n < N; n++)
    for (let od = 0; od < ys[1]; od++)
      for (let oh = 0; oh < ys[2]; oh++)
        for (let ow = 0; ow < ys[3]; ow++)
          for (let kd = 0; kd < KD; kd++) {
            const id = od * g.strides[0] - g.pads[0] + kd * g.dilations[0];
            if (id < 0 || id >= D) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * g.strides[1] - g.pads[1] + kh * g.dilations[1];
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * g.strides[2] - g.pads[2] + kw * g.dilations[2];
                if (iw < 0 || iw >= W) continue;
                for (let ci = 0; ci < Ci; ci++) {
                  const xi = (((n * D + id) * H + ih) * W + iw) * Ci + ci;
                  const wBase = (((kd * KH + kh) * KW + kw) * Ci + ci) * Co;
                  const yBase = (((n * ys[1] + od) * ys[2] + oh) * ys[3] + ow) * Co;
                  for (let co = 0; co < Co; co++) visit(xi, wBase + co, yBase + co, co);
                }
              }
            }
          }
  return ys;
}

export function conv3dRef(x: Float64Array, xs: Shape, w: Float64Array, ws: Shape, g: Conv3dGeometry): { y: Float64Array; shape: number[] } {
  const ys = convOut(xs, ws, g);
  const y = new Float64Array(ys.reduce((a, b) => a * b, 1));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    y[yi] += x[xi] * w[wi];
  });
  return { y, shape: ys };
}

export function conv3dBackpropInputRef(dy: Float64Array, w: Float64Array, ws: Shape, xs: Shape, g: Conv3dGeometry): Float64Array {
  const dx = new Float64Array(xs.reduce((a, b) => a * b, 1));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    dx[xi] += dy[yi] * w[wi];
  });
  return dx;
}

export function conv3dBackpropFilterRef(x: Float64Array, xs: Shape, dy: Float64Array, ws: Shape, g: Conv3dGeometry): Float64Array {
  const dw = new Float64Array(ws.reduce((a, b) => a * b, 1));
  forEachTap(xs, ws, g, (xi, wi, yi) => {
    dw[wi] += x[xi] * dy[yi];
  });
  return dw;
}

export function batchNormTrainRef(
  x: Float64Array,
  C: number,
  gamma: Float64Array,
  beta: Float64Array,
  eps: number,
  relu: boolean,
): { y: Float64Array; mean: Float64Array; variance: Float64Array } {
  const M = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / M;
  for (let i = 0; i < x.length; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / M;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const v = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c];
    y[i] = relu ? Math.max(0, v) : v;
  }
  return { y, mean, variance };
}

export function batchNormInferenceRef(
  x: Float64Array,
  C: number,
  gamma: Float64Array,
  beta: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
  eps: number,
  relu: boolean,
): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const v = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c];
    y[i] = relu ? Math.max(0, v) : v;
  }
  return y;
}

export function batchNormBackwardRef(
  dy: Float64Array,
  x: Float64Array,
  C: number,
  gamma: Float64Array,
  beta: Float64Array,
  eps: number,
  relu: boolean,
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  // ReLU passes the gradient where its output is > 0 (PyTorch's threshold_backward).
  const { y, mean, variance } = batchNormTrainRef(x, C, gamma, beta, eps, false);
  const M = x.length / C;
  const g = new Float64Array(dy.length);
  for (let i = 0; i < dy.length; i++) g[i] = relu && y[i] <= 0 ? 0 : dy[i];
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  const xhat = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    xhat[i] = (x[i] - mean[c]) / Math.sqrt(variance[c] + eps);
    dbeta[c] += g[i];
    dgamma[c] += g[i] * xhat[i];
  }
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    dx[i] = (gamma[c] / Math.sqrt(variance[c] + eps)) * (g[i] - dbeta[c] / M - (xhat[i] * dgamma[c]) / M);
  }
  return { dx, dgamma, dbeta };
}

/** Max pooling; also returns, per output, the flat input index of the first maximum. */
export function maxPool3dRef(x: Float64Array, xs: Shape, g: Pool3dGeometry): { y: Float64Array; shape: number[]; argmax: Int32Array } {
  const [N, D, H, W, C] = xs;
  const ys = [N, ...[0, 1, 2].map((a) => outSize(xs[a + 1], g.kernel[a], g.strides[a], g.pads[a], 1)), C];
  const size = ys.reduce((a, b) => a * b, 1);
  const y = new Float64Array(size);
  const argmax = new Int32Array(size);
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let od = 0; od < ys[1]; od++)
      for (let oh = 0; oh < ys[2]; oh++)
        for (let ow = 0; ow < ys[3]; ow++)
          for (let c = 0; c < C; c++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let kd = 0; kd < g.kernel[0]; kd++) {
              const id = od * g.strides[0] - g.pads[0] + kd;
              if (id < 0 || id >= D) continue;
              for (let kh = 0; kh < g.kernel[1]; kh++) {
                const ih = oh * g.strides[1] - g.pads[1] + kh;
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < g.kernel[2]; kw++) {
                  const iw = ow * g.strides[2] - g.pads[2] + kw;
                  if (iw < 0 || iw >= W) continue;
                  const xi = (((n * D + id) * H + ih) * W + iw) * C + c;
                  if (x[xi] > best) {
                    best = x[xi];
                    at = xi;
                  }
                }
              }
            }
            y[o] = best;
            argmax[o] = at;
          }
  return { y, shape: ys, argmax };
}

export function maxPool3dBackwardRef(dy: Float64Array, argmax: Int32Array, xSize: number): Float64Array {
  const dx = new Float64Array(xSize);
  for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}

export function adamRef(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  h: { lr: number; beta1: number; beta2: number; eps: number; step: number; weightDecay: number },
): { param: Float64Array; m: Float64Array; v: Float64Array } {
  const P = new Float64Array(p.length);
  const M = new Float64Array(p.length);
  const V = new Float64Array(p.length);
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + h.weightDecay * p[i];
    M[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
    V[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
    P[i] = p[i] - (h.lr / bc1) * (M[i] / (Math.sqrt(V[i]) / Math.sqrt(bc2) + h.eps));
  }
  return { param: P, m: M, v: V };
}
