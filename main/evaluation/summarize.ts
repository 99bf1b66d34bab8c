/** Mean, median, standard deviation (population, numpy's default), min and max of the finite values; n = how many. */
export interface Summary {
  n: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
}

/** Summary of the finite values (NaN entries — undefined metrics — are left out and not counted). */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return { n: 0, mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? v[n >> 1] : (v[n / 2 - 1] + v[n / 2]) / 2;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { n, mean, median, std, min: v[0], max: v[n - 1] };
}
