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
  const sa = surfaceVoxels(a, dims);
  const sb = surfaceVoxels(b, dims);
  if (!sa.includes(1) || !sb.includes(1)) return NaN;
  const da = squaredDistance(sa, dims, spacing);
  const db = squaredDistance(sb, dims, spacing);
  const ab = directedSurfaceDistances(sa, db);
  const ba = directedSurfaceDistances(sb, da);
  return Math.max(percentiles(Float64Array.from(ab), [q])[0], percentiles(Float64Array.from(ba), [q])[0]);
}
