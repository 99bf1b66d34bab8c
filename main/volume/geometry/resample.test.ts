import { describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '../Volume';
import { affineFromGeometry, applyAffine, spacingFromAffine } from './affine';
import { gridOf } from './grid';
import { gridWithDims, gridWithSpacing, resampleData, resampleToGrid } from './resample';

function vol(data: Volume['data'], dims: Vec3, spacing: Vec3 = [1, 1, 1], origin: Vec3 = [0, 0, 0], dir?: number[]): Volume {
  const affine = affineFromGeometry(spacing, origin, dir);
  return { data, dims, affine, spacing: spacingFromAffine(affine), meta: { warnings: [] } };
}

/** A sphere mask of radius r (mm) at centre c (world). */
function sphere(dims: Vec3, spacing: Vec3, c: Vec3, r: number, origin: Vec3 = [0, 0, 0]): Volume {
  const v = vol(new Uint8Array(dims[0] * dims[1] * dims[2]), dims, spacing, origin);
  let p = 0;
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, p++) {
        const w = applyAffine(v.affine, [i, j, k]);
        const d = Math.hypot(w[0] - c[0], w[1] - c[1], w[2] - c[2]);
        v.data[p] = d <= r ? (w[0] < c[0] ? 1 : 2) : 0;
      }
  return v;
}

function dice(a: ArrayLike<number>, b: ArrayLike<number>, label: number): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === label;
    const y = b[i] === label;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return (2 * inter) / (na + nb);
}

describe('resampleToGrid', () => {
  it('onto its own grid copies voxels exactly (all modes)', () => {
    const data = new Float32Array(4 * 5 * 6).map((_, i) => Math.sin(i) * 100);
    const v = vol(data, [4, 5, 6], [0.7, 0.9, 2.5], [3, -4, 5]);
    for (const interpolation of ['linear', 'nearest', 'label'] as const)
      expect(Array.from(resampleToGrid(v, gridOf(v), { interpolation }).data)).toEqual(Array.from(data));
  });

  it('trilinear reproduces a linear function of world position inside the grid', () => {
    const dims: Vec3 = [6, 7, 8];
    const v = vol(new Float32Array(6 * 7 * 8), dims, [1.5, 1, 2], [10, 20, 30]);
    const f = (w: number[]): number => 2 * w[0] - 0.5 * w[1] + 0.25 * w[2];
    let p = 0;
    for (let k = 0; k < 8; k++) for (let j = 0; j < 7; j++) for (let i = 0; i < 6; i++, p++) v.data[p] = f(applyAffine(v.affine, [i, j, k]));
    const target = { dims: [5, 5, 5] as Vec3, affine: affineFromGeometry([1.1, 1.2, 2.3], [11, 21, 31]) };
    const out = resampleToGrid(v, target);
    p = 0;
    for (let k = 0; k < 5; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 5; i++, p++) expect(out.data[p]).toBeCloseTo(f(applyAffine(target.affine, [i, j, k])), 3);
  });

  it('fills voxels outside the source grid', () => {
    const v = vol(new Float32Array(8).fill(5), [2, 2, 2]);
    const out = resampleData(v.data, gridOf(v), { dims: [1, 1, 1], affine: affineFromGeometry([1, 1, 1], [10, 10, 10]) }, { fill: -1 });
    expect(out[0]).toBe(-1);
  });

  it('a mask upsampled to a finer grid and mapped back matches the source grid exactly', () => {
    const src = sphere([20, 18, 12], [1.2, 1.2, 3], [12, 11, 18], 8);
    const fine = resampleToGrid(src, gridWithSpacing(src, [0.6, 0.6, 1]), { interpolation: 'nearest' });
    expect(fine.dims).toEqual([40, 36, 36]);
    const back = resampleToGrid(fine, gridOf(src), { interpolation: 'label' });
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.data)).toEqual(Array.from(src.data));
  });

  it('a prediction made on a coarse model grid lands back on the source grid (label vote), Dice > 0.9', () => {
    const src = sphere([40, 40, 20], [1, 1, 2.5], [20, 20, 25], 12);
    const model = gridWithDims(src, [16, 16, 16]);
    const coarse = resampleToGrid(src, model, { interpolation: 'label' });
    const back = resampleToGrid(coarse, gridOf(src), { interpolation: 'label' });
    expect(back.dims).toEqual(src.dims);
    expect(dice(back.data, src.data, 1)).toBeGreaterThan(0.9);
    expect(dice(back.data, src.data, 2)).toBeGreaterThan(0.9);
    const nearest = resampleToGrid(coarse, gridOf(src), { interpolation: 'nearest' });
    // Label vote is smoother than nearest on upsampling.
    expect(dice(back.data, src.data, 1)).toBeGreaterThanOrEqual(dice(nearest.data, src.data, 1) - 0.01);
  });

  it('gridWithSpacing keeps the field of view (outer corners)', () => {
    const src = vol(new Uint8Array(10 * 10 * 4), [10, 10, 4], [1, 1, 5], [0, 0, 0]);
    const g = gridWithSpacing(src, [2, 2, 2]);
    expect(g.dims).toEqual([5, 5, 10]);
    // corner of voxel 0 = centre - half spacing
    const c0 = applyAffine(g.affine, [-0.5, -0.5, -0.5]);
    expect(c0.map((x) => +x.toFixed(9))).toEqual([-0.5, -0.5, -2.5]);
  });
});
