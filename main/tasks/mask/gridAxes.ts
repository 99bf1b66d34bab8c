import type { Mat4, Vec3 } from '../../volume/Volume';

/**
 * Which voxel axis runs closest to the world (RAS+) axis `worldAxis`, and in which direction.
 * Used to slice "axially" and to find the superior end whatever the storage orientation.
 */
export function voxelAxisAlong(affine: Mat4, worldAxis: 0 | 1 | 2): { axis: 0 | 1 | 2; sign: 1 | -1 } {
  let best: 0 | 1 | 2 = 0;
  let bestVal = -1;
  for (const c of [0, 1, 2] as const) {
    const col = [affine[c], affine[4 + c], affine[8 + c]];
    const norm = Math.hypot(col[0], col[1], col[2]) || 1;
    const v = Math.abs(col[worldAxis]) / norm;
    if (v > bestVal) {
      bestVal = v;
      best = c;
    }
  }
  return { axis: best, sign: affine[worldAxis * 4 + best] >= 0 ? 1 : -1 };
}

/** World coordinate `worldAxis` (mm) of voxel (i, j, k). */
export function worldCoord(affine: Mat4, worldAxis: 0 | 1 | 2, v: Vec3): number {
  const r = worldAxis * 4;
  return affine[r] * v[0] + affine[r + 1] * v[1] + affine[r + 2] * v[2] + affine[r + 3];
}
