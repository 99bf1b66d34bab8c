import type { VoxelDType } from '../../common/api';
import type { V3 } from './geometry';

/** The arrays the viewer keeps scans in: the types cornerstone renders as they are. */
export type DisplayArray = Float32Array | Int16Array | Uint16Array | Uint8Array;

/** The display array for a voxel type: int16 stays int16 (2 bytes a voxel); the rest that cornerstone cannot take become float32. */
export function allocateDisplayArray(dtype: VoxelDType, n: number): DisplayArray {
  if (dtype === 'int16') return new Int16Array(n);
  if (dtype === 'uint16') return new Uint16Array(n);
  if (dtype === 'uint8') return new Uint8Array(n);
  return new Float32Array(n);
}

const SOURCE_VIEWS: Record<VoxelDType, (b: ArrayBuffer) => ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }> = {
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b),
  uint16: (b) => new Uint16Array(b),
  int32: (b) => new Int32Array(b),
  uint32: (b) => new Uint32Array(b),
  float32: (b) => new Float32Array(b),
  float64: (b) => new Float64Array(b),
};

/**
 * Copies a slab of whole source k-slices (as getVoxels sends them: `kStart` onwards, i fastest)
 * into the display-order array, mirroring k when the display grid runs k backwards (flipK), and
 * converting the type on the way (TypedArray.set). Returns the display k indices written.
 */
export function copySlab(dst: DisplayArray, dims: V3, flipK: boolean, kStart: number, data: ArrayBuffer, dtype: VoxelDType): number[] {
  const src = SOURCE_VIEWS[dtype](data);
  const slice = dims[0] * dims[1];
  if (src.length % slice !== 0) throw new Error(`slab of ${src.length} voxels is not whole ${dims[0]}x${dims[1]} slices`);
  const count = src.length / slice;
  if (kStart < 0 || kStart + count > dims[2]) throw new Error(`slab k ${kStart}..${kStart + count - 1} is outside the volume's ${dims[2]} slices`);
  const written: number[] = [];
  for (let s = 0; s < count; s++) {
    const k = flipK ? dims[2] - 1 - (kStart + s) : kStart + s;
    dst.set(src.subarray(s * slice, (s + 1) * slice), k * slice);
    written.push(k);
  }
  return written;
}
