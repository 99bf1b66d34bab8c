import type { Mat4, Vec3 } from '../volume/Volume';
import { orientationFromAffine } from '../volume/geometry/orientation';
import { spacingFromAffine } from '../volume/geometry/affine';

/**
 * Voxel size (or any per-axis quantity such as dims) in RAS axis order: what the grid becomes after
 * reorientToCanonical. Datasets mix axis orders (one case LPS, another PLS), so per-axis statistics such as
 * Med3D's median target spacing are only meaningful in this order:
 * `medianSpacing(images.map((v) => canonicalSpacing(v.affine)))`.
 */
export function canonicalSpacing(affine: Mat4, perAxis: Vec3 = spacingFromAffine(affine)): Vec3 {
  const out: Vec3 = [0, 0, 0];
  orientationFromAffine(affine).forEach((o, a) => (out[o.worldAxis] = perAxis[a]));
  return out;
}
