import type { Mat4, Vec3, Volume, VoxelArray } from '../Volume';
import { multiply, spacingFromAffine } from './affine';
import { deriveMeta } from './grid';
import { orientationFromAffine, orientationFromCodes, type Orientation } from './orientation';
import { allocLike } from './voxelArrays';

/**
 * Permutation/flip of voxel axes (no interpolation, so always voxel-exact):
 * new axis n is old axis `perm[n]`, reversed when `flip[n]`.
 */
export interface AxisTransform {
  perm: [number, number, number];
  flip: [boolean, boolean, boolean];
}

/** The transform that brings a grid with orientation `from` to orientation `to` (e.g. RAS). */
export function axisTransformBetween(from: Orientation, to: Orientation): AxisTransform {
  const perm: number[] = [];
  const flip: boolean[] = [];
  for (let n = 0; n < 3; n++) {
    const old = from.findIndex((o) => o.worldAxis === to[n].worldAxis);
    perm.push(old);
    flip.push(from[old].sign !== to[n].sign);
  }
  return { perm: perm as AxisTransform['perm'], flip: flip as AxisTransform['flip'] };
}

export function invertAxisTransform(t: AxisTransform): AxisTransform {
  const perm: number[] = [0, 0, 0];
  const flip: boolean[] = [false, false, false];
  for (let n = 0; n < 3; n++) {
    perm[t.perm[n]] = n;
    flip[t.perm[n]] = t.flip[n];
  }
  return { perm: perm as AxisTransform['perm'], flip: flip as AxisTransform['flip'] };
}

export function isIdentityTransform(t: AxisTransform): boolean {
  return t.perm[0] === 0 && t.perm[1] === 1 && t.perm[2] === 2 && !t.flip[0] && !t.flip[1] && !t.flip[2];
}

/** Matrix mapping new voxel index → old voxel index for `t` applied to a grid of `oldDims`. */
export function axisTransformMatrix(t: AxisTransform, oldDims: Vec3): Mat4 {
  const m = new Float64Array(16);
  m[15] = 1;
  for (let n = 0; n < 3; n++) {
    const o = t.perm[n];
    m[o * 4 + n] = t.flip[n] ? -1 : 1;
    m[o * 4 + 3] = t.flip[n] ? oldDims[o] - 1 : 0;
  }
  return m;
}

/** Apply an axis transform to raw voxels; returns the new data and dims. */
export function transformVoxels<T extends VoxelArray>(data: T, dims: Vec3, t: AxisTransform): { data: T; dims: Vec3 } {
  const newDims: Vec3 = [dims[t.perm[0]], dims[t.perm[1]], dims[t.perm[2]]];
  if (isIdentityTransform(t)) return { data: data.slice() as T, dims: newDims };
  const oldStride = [1, dims[0], dims[0] * dims[1]];
  // Walk the new grid in memory order; the old index moves by a fixed stride per new axis.
  const step = [0, 1, 2].map((n) => (t.flip[n] ? -oldStride[t.perm[n]] : oldStride[t.perm[n]]));
  let base = 0;
  for (let n = 0; n < 3; n++) if (t.flip[n]) base += (dims[t.perm[n]] - 1) * oldStride[t.perm[n]];
  const out = allocLike(data, data.length);
  let p = 0;
  const [n0, n1, n2] = newDims;
  const [s0, s1, s2] = step;
  for (let c = 0; c < n2; c++) {
    for (let b = 0; b < n1; b++) {
      let src = base + c * s2 + b * s1;
      for (let a = 0; a < n0; a++, src += s0) out[p++] = data[src];
    }
  }
  return { data: out, dims: newDims };
}

/** Apply an axis transform to a volume (data, dims, affine, spacing), exactly. */
export function applyAxisTransform<V extends Volume>(vol: V, t: AxisTransform): V {
  const { data, dims } = transformVoxels(vol.data, vol.dims, t);
  const affine = multiply(vol.affine, axisTransformMatrix(t, vol.dims));
  return { ...vol, data, dims, affine, spacing: spacingFromAffine(affine), meta: deriveMeta(vol) };
}

export interface Reoriented<V extends Volume> {
  volume: V;
  /** Transform that was applied; `undoReorient(volume, transform)` brings it back voxel-exactly. */
  transform: AxisTransform;
}

/** Reorient to the given axis codes (default 'RAS', nibabel's as_closest_canonical) by permuting/flipping axes only. */
export function reorientTo<V extends Volume>(vol: V, codes = 'RAS'): Reoriented<V> {
  const t = axisTransformBetween(orientationFromAffine(vol.affine), orientationFromCodes(codes));
  return { volume: applyAxisTransform(vol, t), transform: t };
}

export function reorientToCanonical<V extends Volume>(vol: V): Reoriented<V> {
  return reorientTo(vol, 'RAS');
}

/** Inverse of reorientTo: back to the original axis order and affine (voxel-exact). */
export function undoReorient<V extends Volume>(vol: V, transform: AxisTransform): V {
  return applyAxisTransform(vol, invertAxisTransform(transform));
}

