import type { Vec3 } from '../volume/Volume';
import { squaredDistance } from '../../common/geometry/distanceTransform';
import { percentiles } from '../volume/preprocess/percentile';

/**
 * Surface voxels of a binary mask: voxels of the mask with a 6-neighbour outside it, or on the grid's
 * border (scipy's binary_erosion with border 0, as MONAI and the MSD evaluation compute edges).
 */
export function surfaceVoxels(mask: Uint8Array, dims: Vec3): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(mask.length);
  const sxy = nx * ny;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const p = i + nx * j + sxy * k;
        if (!mask[p]) continue;
        if (i === 0 || j === 0 || k === 0 || i === nx - 1 || j === ny - 1 || k === nz - 1) out[p] = 1;
        else if (!mask[p - 1] || !mask[p + 1] || !mask[p - nx] || !mask[p + nx] || !mask[p - sxy] || !mask[p + sxy]) out[p] = 1;
      }
  return out;
}

/** Distances (mm) from every surface voxel of `from` to the nearest surface voxel of `to`. */
function directedSurfaceDistances(from: Uint8Array, toDistSq: Float64Array): number[] {
  const out: number[] = [];
  for (let p = 0; p < from.length; p++) if (from[p]) out.push(Math.sqrt(toDistSq[p]));
  return out;
}

/**
 * Hausdorff distance at percentile `q` (95 by default) in mm between two binary masks on the same grid
 * (voxel size `spacing` along i, j, k), as MONAI's compute_hausdorff_distance: the larger of the two directed
 * q-th percentiles of surface-to-surface distances (numpy linear percentile). NaN when either mask is empty
 * (undefined: nothing to measure against).
 */
export function hausdorffDistance(a: Uint8Array, b: Uint8Array, dims: Vec3, spacing: Vec3, q = 95): number {
  if (a.length !== b.length) throw new Error(`hausdorffDistance: masks differ in size (${a.length} vs ${b.length} voxels)`);
  // Work inside the box around both masks: distances between voxels inside it do not depend on the rest of the
  // grid, and a CT-sized grid would otherwise cost two 8-byte distance maps of the whole scan.
  const box = unionBox(a, b, dims);
  if (!box) return NaN;
  const ca = crop(a, dims, box);
  const cb = crop(b, dims, box);
  const sa = surfaceVoxels(ca, box.dims);
  const sb = surfaceVoxels(cb, box.dims);
  if (!sa.includes(1) || !sb.includes(1)) return NaN;
  const da = squaredDistance(sa, box.dims, spacing);
  const db = squaredDistance(sb, box.dims, spacing);
  const ab = directedSurfaceDistances(sa, db);
  const ba = directedSurfaceDistances(sb, da);
  return Math.max(percentiles(Float64Array.from(ab), [q])[0], percentiles(Float64Array.from(ba), [q])[0]);
}

interface Box {
  lo: Vec3;
  dims: Vec3;
}

/** Bounding box of the voxels set in `a` or `b`; null when both are empty. */
function unionBox(a: Uint8Array, b: Uint8Array, dims: Vec3): Box | null {
  const [nx, ny] = dims;
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-1, -1, -1];
  for (let p = 0; p < a.length; p++) {
    if (!a[p] && !b[p]) continue;
    const i = p % nx;
    const j = Math.floor(p / nx) % ny;
    const k = Math.floor(p / (nx * ny));
    if (i < lo[0]) lo[0] = i;
    if (j < lo[1]) lo[1] = j;
    if (k < lo[2]) lo[2] = k;
    if (i > hi[0]) hi[0] = i;
    if (j > hi[1]) hi[1] = j;
    if (k > hi[2]) hi[2] = k;
  }
  if (hi[0] < 0) return null;
  return { lo, dims: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
}

/**
 * The box's voxels. Surfaces found in the crop are those of the whole grid: a mask voxel on the box's edge
 * has its outward neighbour outside both masks (or off the grid), so it is a surface voxel either way.
 */
function crop(m: Uint8Array, dims: Vec3, box: Box): Uint8Array {
  const [bx, by, bz] = box.dims;
  const out = new Uint8Array(bx * by * bz);
  let o = 0;
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const row = box.lo[0] + dims[0] * (box.lo[1] + j + dims[1] * (box.lo[2] + k));
      for (let i = 0; i < bx; i++) out[o++] = m[row + i];
    }
  return out;
}
