import type { VoxelArray } from '../Volume';

type VoxelArrayCtor = new (n: number) => VoxelArray;

/** A zeroed array of the same element type as `like`, with `n` elements. */
export function allocLike<T extends VoxelArray>(like: T, n: number): T {
  const Ctor = like.constructor as VoxelArrayCtor;
  return new Ctor(n) as T;
}

export function isIntegerArray(a: VoxelArray): boolean {
  return !(a instanceof Float32Array || a instanceof Float64Array);
}

/** Clamp-and-round a value into the range of an integer array type (float arrays: unchanged). */
export function castForArray(a: VoxelArray, v: number): number {
  if (!isIntegerArray(a)) return v;
  return Math.round(v);
}
