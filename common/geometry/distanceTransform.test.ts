import { describe, expect, it } from 'vitest';
import { EDT_INF, squaredDistance } from './distanceTransform';

/** Brute force: squared mm distance from each voxel to the nearest feature voxel. */
function brute(feature: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const n = feature.length;
  const coord = (p: number): number[] => {
    const c: number[] = [];
    for (const d of dims) {
      c.push(p % d);
      p = Math.floor(p / d);
    }
    return c;
  };
  const out = new Float64Array(n).fill(EDT_INF);
  for (let p = 0; p < n; p++)
    for (let q = 0; q < n; q++) {
      if (!feature[q]) continue;
      const a = coord(p);
      const b = coord(q);
      const d = a.reduce((s, x, i) => s + ((x - b[i]) * spacing[i]) ** 2, 0);
      if (d < out[p]) out[p] = d;
    }
  return out;
}

describe('squaredDistance (exact separable EDT)', () => {
  it.each([
    [[7, 5, 4], [0.8, 1.3, 2.5], 0.08],
    [[6, 6, 6], [1, 1, 1], 0.02],
    [[9, 4], [0.5, 2], 0.15],
    [[11], [3], 0.2],
  ])('dims %j spacing %j: equals brute force on a random feature map', (dims, spacing, density) => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const n = dims.reduce((a, b) => a * b, 1);
    const feature = Uint8Array.from({ length: n }, () => (rand() < density ? 1 : 0));
    feature[3] = 1;
    const got = squaredDistance(feature, dims, spacing);
    const want = brute(feature, dims, spacing);
    for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(want[i], 6);
  });

  it('no feature anywhere: every distance is EDT_INF', () => {
    expect(Array.from(squaredDistance(new Uint8Array(8), [2, 2, 2], [1, 1, 1]))).toEqual(new Array(8).fill(EDT_INF));
  });
});
