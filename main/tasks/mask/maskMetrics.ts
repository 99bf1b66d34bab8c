import type { LabelMap, Vec3 } from '../../volume/Volume';
import { dicePerClass } from '../../engine/train/metrics';

/**
 * Overlap and volume figures of label maps, computed on voxel arrays (reports, tests, batch).
 * Dice of two empty masks is 1 (nothing to find, nothing found).
 */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>, labelA?: number, labelB?: number): number {
  if (a.length !== b.length) throw new Error(`dice: masks differ in size (${a.length} vs ${b.length} voxels)`);
  const bin = (x: ArrayLike<number>, label: number | undefined): Uint8Array => Uint8Array.from(x, (v) => (label === undefined ? v !== 0 : v === label) ? 1 : 0);
  // THE Dice (engine/train/metrics) on the two binary masks; NaN there means both empty.
  const d = dicePerClass(bin(a, labelA), bin(b, labelB), 2)[1];
  return Number.isNaN(d) ? 1 : d;
}

export function voxelVolumeMl(spacing: Vec3): number {
  return (spacing[0] * spacing[1] * spacing[2]) / 1000;
}

/** Volume in mL of every non-zero label value present (keys are label values). */
export function labelVolumesMl(map: Pick<LabelMap, 'data' | 'spacing'>): Map<number, number> {
  const counts = new Map<number, number>();
  const d = map.data;
  for (let p = 0; p < d.length; p++) {
    const v = d[p];
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ml = voxelVolumeMl(map.spacing);
  const out = new Map<number, number>();
  for (const [v, c] of [...counts].sort((x, y) => x[0] - y[0])) out.set(v, c * ml);
  return out;
}
