import type { VoxelArray } from '../Volume';

type VoxelArrayCtor = new (n: number) => VoxelArray;

/** A zeroed array of the same element type as `like`, with `n` elements. */
export function allocLike<T extends VoxelArray>(like: T, n: number): T {
  const Ctor = like.constructor as VoxelArrayCtor;
  return new Ctor(n) as T;
}
