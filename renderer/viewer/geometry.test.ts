import { describe, it, expect } from 'vitest';
import { closestAxis, displayGeometryFromRas, flipSlicesK, indexToWorld, orientationLetters, viewRight, worldToIndex, type V3 } from './geometry';

const rasAffine = (m: number[][]): number[] => m.flat();

describe('displayGeometryFromRas', () => {
  it('negates x and y (RAS to LPS) and keeps a right-handed grid as is', () => {
    // RAS diag(1,1,2): i → Right(+x RAS = -x LPS), j → Anterior, k → Superior. det in LPS = (+1) → right-handed.
    const g = displayGeometryFromRas(rasAffine([[1, 0, 0, 10], [0, 1, 0, 20], [0, 0, 2, 30], [0, 0, 0, 1]]), [4, 5, 6]);
    expect(g.flipK).toBe(false);
    expect(g.spacing).toEqual([1, 1, 2]);
    expect(g.origin).toEqual([-10, -20, 30]);
    expect(g.direction.map((x) => x + 0)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
  });

  it('flips k for a left-handed grid (NIfTI stored in LAS) and keeps voxel world positions', () => {
    const A = rasAffine([[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]]);
    const dims: V3 = [91, 109, 91];
    const g = displayGeometryFromRas(A, dims);
    expect(g.flipK).toBe(true);
    // Display voxel (i, j, k) is source voxel (i, j, nk-1-k): same world point.
    const src: V3 = [10, 20, 30];
    const rasSrc = [A[0] * 10 + A[3], A[5] * 20 + A[7], A[10] * 30 + A[11]];
    const w = indexToWorld(g, [10, 20, dims[2] - 1 - 30]);
    expect([-w[0], -w[1], w[2]]).toEqual(rasSrc);
    expect(worldToIndex(g, w).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([10, 20, 60]);
    expect(src).toEqual([10, 20, 30]);
  });

  it('round-trips index ↔ world on an oblique, sheared grid', () => {
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const A = rasAffine([[0.7 * c, -0.7 * s, 0.4, 5], [0.7 * s, 0.7 * c, 0.1, -3], [0, 0, 2.5, 40], [0, 0, 0, 1]]);
    const g = displayGeometryFromRas(A, [10, 10, 10]);
    const p = indexToWorld(g, [3.5, 7, 2]);
    const q = worldToIndex(g, p);
    expect(q[0]).toBeCloseTo(3.5, 9);
    expect(q[1]).toBeCloseTo(7, 9);
    expect(q[2]).toBeCloseTo(2, 9);
  });

  it('rejects a zero voxel size with a clear message', () => {
    expect(() => displayGeometryFromRas(rasAffine([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), [2, 2, 2])).toThrow(/voxel size/);
  });
});

describe('flipSlicesK', () => {
  it('mirrors slices and is its own inverse', () => {
    const d = Int16Array.from({ length: 2 * 2 * 3 }, (_, n) => n);
    flipSlicesK(d, [2, 2, 3]);
    expect(Array.from(d)).toEqual([8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]);
    flipSlicesK(d, [2, 2, 3]);
    expect(Array.from(d)).toEqual(Array.from({ length: 12 }, (_, n) => n));
  });
});

describe('orientation', () => {
  it.each([
    ['axial (A up, L right)', [0, -1, 0], [0, 0, -1], 'A', 'L'],
    ['sagittal (S up, P right)', [0, 0, 1], [1, 0, 0], 'S', 'P'],
    ['coronal (S up, L right)', [0, 0, 1], [0, -1, 0], 'S', 'L'],
  ] as const)('%s', (_t, up, normal, top, right) => {
    expect(orientationLetters([...up])).toBe(top);
    expect(orientationLetters(viewRight([...up], [...normal]))).toBe(right);
  });

  it('names oblique directions strongest first', () => {
    expect(orientationLetters([0.3, -0.9, 0])).toBe('AL');
  });

  it('finds the index axis normal to a view', () => {
    const g = displayGeometryFromRas(rasAffine([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]), [3, 3, 3]);
    expect(closestAxis(g, [0, 0, -1])).toBe(2);
    expect(closestAxis(g, [1, 0, 0])).toBe(0);
    expect(closestAxis(g, [0, 0.9, 0.1])).toBe(1);
  });
});
