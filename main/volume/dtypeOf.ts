import type { VoxelDType } from '../../common/api/types';
import type { VoxelArray } from './Volume';

/** The element type of a voxel array, by name (a Buffer counts as uint8). */
export function dtypeOf(a: VoxelArray): VoxelDType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}
