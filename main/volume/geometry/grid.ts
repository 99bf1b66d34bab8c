import type { Mat4, Vec3, Volume } from '../Volume';

/** A voxel grid in world space: dims plus the index → RAS+ mm affine (what a resampler targets). */
export interface Grid {
  dims: Vec3;
  affine: Mat4;
}

export function gridOf(vol: { dims: Vec3; affine: Mat4 }): Grid {
  return { dims: [vol.dims[0], vol.dims[1], vol.dims[2]], affine: Float64Array.from(vol.affine) };
}

/** Same grid (dims equal, affines within `tol` mm per element). */
export function sameGrid(a: Grid, b: Grid, tol = 1e-4): boolean {
  if (a.dims[0] !== b.dims[0] || a.dims[1] !== b.dims[1] || a.dims[2] !== b.dims[2]) return false;
  for (let i = 0; i < 16; i++) if (Math.abs(a.affine[i] - b.affine[i]) > tol) return false;
  return true;
}

/** Shallow copy of a volume's meta with fresh arrays, so derived volumes never share warnings. */
export function deriveMeta(vol: Volume, extraWarning?: string): Volume['meta'] {
  const meta = { ...vol.meta, warnings: [...vol.meta.warnings] };
  if (extraWarning) meta.warnings.push(extraWarning);
  return meta;
}
