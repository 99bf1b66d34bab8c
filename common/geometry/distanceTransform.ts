/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance Transforms of
 * Sampled Functions"), separable, with anisotropic sample spacing in mm. Pure and runtime-free: the
 * renderer's slice interpolation (2D) and the evaluation's surface distances (3D) share it.
 */
export const EDT_INF = 1e20;

/** 1D lower envelope of parabolas: out[q] = min_p (f[p] + ((q - p)·w)²). f, out length ≥ n; v, z scratch (n, n + 1). */
function edt1d(f: Float64Array, n: number, w: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -EDT_INF;
  z[1] = EDT_INF;
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
      z[0] = -EDT_INF;
      z[1] = EDT_INF;
      continue;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = EDT_INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q * w) k++;
    const d = (q - v[k]) * w;
    out[q] = d * d + f[v[k]];
  }
}

/**
 * Squared distance (mm²) from every voxel of a grid (dims[0] fastest) to the nearest voxel where `feature`
 * is non-zero; EDT_INF when there is none. Works for any number of axes (2D images: dims of length 2).
 */
export function squaredDistance(feature: ArrayLike<number>, dims: readonly number[], spacing: readonly number[]): Float64Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = feature[i] ? 0 : EDT_INF;
  const m = Math.max(...dims);
  const f = new Float64Array(m);
  const d = new Float64Array(m);
  const v = new Int32Array(m);
  const z = new Float64Array(m + 1);
  let stride = 1;
  for (let axis = 0; axis < dims.length; axis++) {
    const len = dims[axis];
    // Every line along `axis`: start offsets are all indices whose coordinate on `axis` is 0.
    const outer = n / (len * stride);
    for (let o = 0; o < outer; o++)
      for (let s = 0; s < stride; s++) {
        const base = o * len * stride + s;
        for (let q = 0; q < len; q++) f[q] = out[base + q * stride];
        edt1d(f, len, spacing[axis], d, v, z);
        for (let q = 0; q < len; q++) out[base + q * stride] = d[q];
      }
    stride *= len;
  }
  return out;
}
