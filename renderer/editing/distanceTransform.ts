/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance
 * Transforms of Sampled Functions"), separable, with anisotropic pixel size in mm.
 */
const INF = 1e20;

/** 1D lower envelope of parabolas; f and out have length n, sample spacing w (mm). */
function edt1d(f: Float64Array, n: number, w: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s: number;
    for (;;) {
      const p = v[k];
      s = (f[q] + (q * w) ** 2 - (f[p] + (p * w) ** 2)) / (2 * w * (q - p));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    if (s <= z[k]) {
      // k === 0 and the new parabola dominates everywhere.
      v[0] = q;
      z[0] = -INF;
      z[1] = INF;
      continue;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q * w) k++;
    const d = (q - v[k]) * w;
    out[q] = d * d + f[v[k]];
  }
}

/**
 * Squared distance (mm²) from every pixel of a w×h image (x fastest) to the nearest pixel where
 * `feature` is true; INF-ish (1e20) when there is none.
 */
export function squaredDistance2d(feature: (idx: number) => boolean, w: number, h: number, sx: number, sy: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let idx = 0; idx < w * h; idx++) out[idx] = feature(idx) ? 0 : INF;
  const m = Math.max(w, h);
  const f = new Float64Array(m);
  const d = new Float64Array(m);
  const v = new Int32Array(m);
  const z = new Float64Array(m + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = out[x + w * y];
    edt1d(f, w, sx, d, v, z);
    for (let x = 0; x < w; x++) out[x + w * y] = d[x];
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[x + w * y];
    edt1d(f, h, sy, d, v, z);
    for (let y = 0; y < h; y++) out[x + w * y] = d[y];
  }
  return out;
}

/** Signed distance in mm: negative inside the mask, positive outside (0-crossing at the boundary). */
export function signedDistance2d(inside: (idx: number) => boolean, w: number, h: number, sx: number, sy: number): Float64Array {
  const toInside = squaredDistance2d(inside, w, h, sx, sy);
  const toOutside = squaredDistance2d((idx) => !inside(idx), w, h, sx, sy);
  const out = new Float64Array(w * h);
  for (let idx = 0; idx < w * h; idx++) {
    out[idx] = inside(idx) ? -Math.sqrt(toOutside[idx]) + 0.5 * Math.min(sx, sy) : Math.sqrt(toInside[idx]) - 0.5 * Math.min(sx, sy);
  }
  return out;
}
