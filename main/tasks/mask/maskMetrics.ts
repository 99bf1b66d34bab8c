import type { LabelMap, Vec3 } from '../../volume/Volume';

/**
 * Overlap and volume figures of label maps, computed on voxel arrays (reports, tests, batch).
 * Dice of two empty masks is 1 (nothing to find, nothing found).
 */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>, labelA?: number, labelB?: number): number {
  if (a.length !== b.length) throw new Error(`dice: masks differ in size (${a.length} vs ${b.length} voxels)`);
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let p = 0; p < a.length; p++) {
    const x = labelA === undefined ? a[p] !== 0 : a[p] === labelA;
    const y = labelB === undefined ? b[p] !== 0 : b[p] === labelB;
    if (x) sa++;
    if (y) sb++;
    if (x && y) inter++;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
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
