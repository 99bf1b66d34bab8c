import type { VoxelArray } from '../Volume';

/**
 * Percentiles with numpy's default 'linear' interpolation: for q in [0, 100], the value at fractional
 * rank q/100·(n−1) between the two neighbouring order statistics. Exact; O(n) per call: a counting pass
 * for 8/16-bit integer arrays, quickselect otherwise (no full sort of a 100-million-voxel CT).
 * `mask` (same length, non-zero = included) restricts the sample, e.g. to the foreground.
 */
export function percentiles(data: VoxelArray, qs: number[], mask?: ArrayLike<number>): number[] {
  for (const q of qs) if (!(q >= 0 && q <= 100)) throw new Error(`percentile ${q} outside [0, 100]`);
  const small = data instanceof Uint8Array || data instanceof Int8Array || data instanceof Uint16Array || data instanceof Int16Array;
  if (small) return countingPercentiles(data, qs, mask);
  let values: Float64Array;
  if (mask) {
    let n = 0;
    for (let i = 0; i < data.length; i++) if (mask[i]) n++;
    values = new Float64Array(n);
    for (let i = 0, p = 0; i < data.length; i++) if (mask[i]) values[p++] = data[i];
  } else values = Float64Array.from(data);
  const n = values.length;
  if (n === 0) throw new Error('percentile of an empty selection');
  return qs.map((q) => {
    const rank = (q / 100) * (n - 1);
    const lo = Math.floor(rank);
    const frac = rank - lo;
    const a = select(values, lo);
    if (frac === 0 || lo + 1 >= n) return a;
    // after select(lo), elements > lo are all ≥ a; the next order statistic is their minimum
    let b = Infinity;
    for (let i = lo + 1; i < n; i++) if (values[i] < b) b = values[i];
    return a + (b - a) * frac;
  });
}

export function percentile(data: VoxelArray, q: number, mask?: ArrayLike<number>): number {
  return percentiles(data, [q], mask)[0];
}

function countingPercentiles(data: VoxelArray, qs: number[], mask?: ArrayLike<number>): number[] {
  const offset = data instanceof Int16Array ? 32768 : data instanceof Int8Array ? 128 : 0;
  const hist = new Float64Array(data instanceof Uint8Array || data instanceof Int8Array ? 256 : 65536);
  let n = 0;
  for (let i = 0; i < data.length; i++)
    if (!mask || mask[i]) {
      hist[data[i] + offset]++;
      n++;
    }
  if (n === 0) throw new Error('percentile of an empty selection');
  const nth = (k: number): number => {
    let c = 0;
    for (let v = 0; v < hist.length; v++) {
      c += hist[v];
      if (c > k) return v - offset;
    }
    return hist.length - 1 - offset;
  };
  return qs.map((q) => {
    const rank = (q / 100) * (n - 1);
    const lo = Math.floor(rank);
    const frac = rank - lo;
    const a = nth(lo);
    if (frac === 0 || lo + 1 >= n) return a;
    const b = nth(lo + 1);
    return a + (b - a) * frac;
  });
}

/** Hoare quickselect with median-of-three pivots: puts the k-th smallest at a[k], smaller left, larger right. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three into a[mid]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
