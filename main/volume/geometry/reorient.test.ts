import { describe, expect, it } from 'vitest';
import type { Volume } from '../Volume';
import { applyAffine, fromRows, maxAbsDiff, spacingFromAffine } from './affine';
import { axisCodes } from './orientation';
import { reorientTo, reorientToCanonical, undoReorient } from './reorient';

function make(rows: number[][], dims: [number, number, number]): Volume {
  const affine = fromRows(rows);
  const data = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 3001 - 1000;
  return { data, dims, affine, spacing: spacingFromAffine(affine), meta: { warnings: [] } };
}

/** World position of voxel (i,j,k) → value; reorientation must keep this map identical. */
function valueAt(v: Volume, world: [number, number, number]): number {
  for (let k = 0; k < v.dims[2]; k++)
    for (let j = 0; j < v.dims[1]; j++)
      for (let i = 0; i < v.dims[0]; i++) {
        const p = applyAffine(v.affine, [i, j, k]);
        if (maxAbsDiff(p, world) < 1e-6) return v.data[i + v.dims[0] * (j + v.dims[1] * k)];
      }
  throw new Error('world point not on grid');
}

describe('reorientToCanonical / undoReorient', () => {
  it.each([
    ['LPS 4x3x2', [[-0.7, 0, 0, 10], [0, -0.8, 0, 20], [0, 0, 2.5, -30]], [4, 3, 2]],
    ['AIR 3x4x5 (permuted)', [[0, 0, 2.4, -75], [2.4, 0, 0, -110], [0, -2.4, 0, 84]], [3, 4, 5]],
    ['PSR oblique 2x3x4', [[0, 0, 1, -87], [-0.99, 0.13, 0, 147], [0.13, 0.99, 0, -120]], [2, 3, 4]],
  ] as const)('%s → RAS → back is voxel-exact and keeps world positions', (_n, rows, dims) => {
    const v = make(rows.map((r) => [...r]), [...dims] as [number, number, number]);
    const { volume: ras, transform } = reorientToCanonical(v);
    expect(axisCodes(ras.affine)).toBe('RAS');
    // Same voxel values at the same world points.
    for (const ijk of [[0, 0, 0], [dims[0] - 1, 1, dims[2] - 1], [1, dims[1] - 1, 0]] as Array<[number, number, number]>) {
      const w = applyAffine(v.affine, ijk);
      expect(valueAt(ras, w)).toBe(v.data[ijk[0] + dims[0] * (ijk[1] + dims[1] * ijk[2])]);
    }
    const back = undoReorient(ras, transform);
    expect(back.dims).toEqual(v.dims);
    expect(Array.from(back.data)).toEqual(Array.from(v.data));
    expect(maxAbsDiff(back.affine, v.affine)).toBeLessThan(1e-12);
    expect(back.data).toBeInstanceOf(Int16Array);
  });

  it('reorientTo LPS from RAS flips i and j', () => {
    const v = make([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], [3, 2, 2]);
    const { volume, transform } = reorientTo(v, 'LPS');
    expect(transform.flip).toEqual([true, true, false]);
    expect(axisCodes(volume.affine)).toBe('LPS');
    expect(volume.data[0]).toBe(v.data[2 + 3 * 1]);
  });
});
