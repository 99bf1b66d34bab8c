import type { Volume } from '../Volume';
import { boundingBox, cropBox, type Box } from './box';

/**
 * MedicalNet-style foreground crop (`__drop_invalid_range__`): drop the border planes where every voxel
 * equals the background value (by default the corner voxel's value, as MedicalNet does).
 * Deviation from MedicalNet: the box is inclusive of the last foreground voxel (MedicalNet's slice end
 * drops it). Returns the crop and its box in the source grid (for `pasteBox`).
 * An all-background volume is returned unchanged with a warning.
 */
export function foregroundCrop<V extends Volume>(vol: V, opts: { background?: number } = {}): { volume: V; box: Box } {
  const background = opts.background ?? vol.data[0];
  const box = boundingBox(vol.data, vol.dims, { background });
  if (!box) {
    const full: Box = { start: [0, 0, 0], size: [...vol.dims] };
    const v = cropBox(vol, full);
    v.meta.warnings.push('foreground crop: volume is all background, kept whole');
    return { volume: v, box: full };
  }
  return { volume: cropBox(vol, box), box };
}
