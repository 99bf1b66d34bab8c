import type { Volume } from '../../../Volume';

interface Grid {
  dims: readonly number[];
  affine: ArrayLike<number>;
}

/** For each axis of grid B: the axis of grid A it runs along, and whether it runs backwards. */
export type AxisMap = Array<{ axis: number; flip: boolean }>;

const column = (g: Grid, c: number): number[] => [g.affine[c], g.affine[4 + c], g.affine[8 + c]];

function world(g: Grid, idx: number[]): number[] {
  return [0, 1, 2].map((r) => g.affine[r * 4] * idx[0] + g.affine[r * 4 + 1] * idx[1] + g.affine[r * 4 + 2] * idx[2] + g.affine[r * 4 + 3]);
}

/**
 * Do two grids place the same voxel centres in space, up to a permutation and reversal of axes
 * (reference converters flip rows or slices: dcm2niix, dicom2nifti)? Returns the axis map or undefined.
 */
export function matchGrids(a: Grid, b: Grid, tol: number): AxisMap | undefined {
  const map: AxisMap = [];
  for (let cb = 0; cb < 3; cb++) {
    const vb = column(b, cb);
    let found: { axis: number; flip: boolean } | undefined;
    for (let ca = 0; ca < 3 && !found; ca++) {
      const va = column(a, ca);
      for (const s of [1, -1]) if (va.every((x, i) => Math.abs(s * x - vb[i]) <= tol)) found = { axis: ca, flip: s < 0 };
    }
    if (!found || a.dims[found.axis] !== b.dims[cb]) return undefined;
    map.push(found);
  }
  const idx = [0, 0, 0];
  map.forEach((m, cb) => (idx[m.axis] = m.flip ? b.dims[cb] - 1 : 0));
  const wa = world(a, idx);
  const wb = world(b, [0, 0, 0]);
  return wa.every((x, i) => Math.abs(x - wb[i]) <= Math.max(tol, 1e-3)) ? map : undefined;
}

/** Value of volume A at the voxel that is voxel `ib` of grid B under `map`. */
export function sampleVoxel(a: Volume, map: AxisMap, ib: number[]): number {
  const ia = [0, 0, 0];
  map.forEach((m, cb) => (ia[m.axis] = m.flip ? a.dims[m.axis] - 1 - ib[cb] : ib[cb]));
  return a.data[ia[0] + a.dims[0] * (ia[1] + a.dims[1] * ia[2])];
}
