import type { Mat4, Vec3 } from '../volume/Volume';
import { applyAffine, spacingFromAffine } from '../volume/geometry/affine';

/** World-space (RAS+ mm) axis-aligned box of a grid's voxel extent: voxel corners, not centres. */
export function worldExtent(grid: { dims: Vec3; affine: Mat4 }): { min: Vec3; max: Vec3 } {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const p = applyAffine(grid.affine, [c & 1 ? grid.dims[0] - 0.5 : -0.5, c & 2 ? grid.dims[1] - 0.5 : -0.5, c & 4 ? grid.dims[2] - 0.5 : -0.5]);
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], p[a]);
      max[a] = Math.max(max[a], p[a]);
    }
  }
  return { min, max };
}

/**
 * Whether two grids cover the same world box, within half of the coarsest voxel: a label map written on
 * another grid of the same field of view (other orientation, other voxel size) that can be resampled onto
 * the image without losing or inventing anatomy. Returns the largest corner mismatch in mm too, for messages.
 */
export function coversSameSpace(a: { dims: Vec3; affine: Mat4 }, b: { dims: Vec3; affine: Mat4 }): { same: boolean; mismatchMm: number } {
  const ea = worldExtent(a);
  const eb = worldExtent(b);
  let mismatchMm = 0;
  for (let k = 0; k < 3; k++) mismatchMm = Math.max(mismatchMm, Math.abs(ea.min[k] - eb.min[k]), Math.abs(ea.max[k] - eb.max[k]));
  const tol = 0.5 * Math.max(...spacingFromAffine(a.affine), ...spacingFromAffine(b.affine));
  return { same: mismatchMm <= tol, mismatchMm };
}
