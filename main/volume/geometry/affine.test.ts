import { describe, expect, it } from 'vitest';
import { affineFromGeometry, applyAffine, compose, fromRows, invert, lpsToRas, maxAbsDiff, multiply, spacingFromAffine, subGridAffine, toRows, identity4 } from './affine';

const A = fromRows([
  [0.3, -0.9, 0.1, 10],
  [0.8, 0.2, -0.5, -20],
  [0.1, 0.4, 2.9, 33],
]);

describe('affine maths', () => {
  it('invert(A) · A = I for an oblique affine', () => {
    expect(maxAbsDiff(multiply(invert(A), A), identity4())).toBeLessThan(1e-12);
    expect(maxAbsDiff(multiply(A, invert(A)), identity4())).toBeLessThan(1e-12);
  });

  it('refuses a singular affine', () => {
    expect(() => invert(fromRows([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]]))).toThrow(/singular/);
  });

  it('compose applies left to right', () => {
    const T = affineFromGeometry([1, 1, 1], [5, 0, 0]);
    const S = affineFromGeometry([2, 2, 2], [0, 0, 0]);
    // translate then scale: (1,0,0) → (6,0,0) → (12,0,0)
    expect(applyAffine(compose(T, S), [1, 0, 0])).toEqual([12, 0, 0]);
  });

  it('spacing is the column norms; geometry round-trips', () => {
    const dir = [0, 0, 1, 1, 0, 0, 0, -1, 0];
    const m = affineFromGeometry([0.7, 0.8, 2.5], [1, 2, 3], dir);
    expect(spacingFromAffine(m).map((x) => +x.toFixed(12))).toEqual([0.7, 0.8, 2.5]);
    expect(applyAffine(m, [0, 0, 0])).toEqual([1, 2, 3]);
    expect(toRows(m)[3]).toEqual([0, 0, 0, 1]);
  });

  it('lpsToRas negates x and y rows and is its own inverse', () => {
    const r = lpsToRas(A);
    expect(applyAffine(r, [1, 2, 3])).toEqual(applyAffine(A, [1, 2, 3]).map((v, i) => (i < 2 ? -v : v)));
    expect(Array.from(lpsToRas(r))).toEqual(Array.from(A));
  });

  it('subGridAffine moves voxel 0 to the offset voxel', () => {
    const sub = subGridAffine(A, [3, 4, 5], [2, 2, 2]);
    expect(maxAbsDiff(applyAffine(sub, [0, 0, 0]), applyAffine(A, [3, 4, 5]))).toBeLessThan(1e-12);
    expect(maxAbsDiff(applyAffine(sub, [1, 1, 1]), applyAffine(A, [5, 6, 7]))).toBeLessThan(1e-12);
  });
});
