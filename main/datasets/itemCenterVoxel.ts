import type { Vec3, Volume } from '../volume/Volume';
import { applyAffine, invert } from '../volume/geometry/affine';
import type { ClassificationItem } from './Dataset';
import { DatasetError } from './DatasetError';

/**
 * The item's centre as continuous voxel indices (i, j, k) of `volume` (round them for a patch centre).
 * 'lps' world mm (LUNA16) → RAS by negating x and y, then through the inverse affine; 'ras' directly;
 * 'voxel' is taken as i, j, k. A centre outside the volume (beyond half a voxel of its edge) is a
 * DatasetError naming the image: usually the wrong --coords.
 */
export function itemCenterVoxel(volume: Pick<Volume, 'dims' | 'affine'>, item: Pick<ClassificationItem, 'center' | 'coords' | 'image'>): Vec3 {
  const [x, y, z] = item.center;
  const ijk: Vec3 =
    item.coords === 'voxel' ? [x, y, z] : applyAffine(invert(volume.affine), item.coords === 'lps' ? [-x, -y, z] : [x, y, z]);
  const outside = [0, 1, 2].some((a) => !(ijk[a] >= -0.5 && ijk[a] <= volume.dims[a] - 0.5));
  if (outside) {
    throw new DatasetError(
      item.image,
      `centre (${item.center.join(', ')}) ${item.coords.toUpperCase()} is outside the volume ` +
        `(voxel ${ijk.map((v) => v.toFixed(1)).join(', ')} of ${volume.dims.join('x')}); check --coords`,
    );
  }
  return ijk;
}
