import type { VoxelDType } from '../../common/api/types';
import type { VoxelArray } from './Volume';
import { dtypeOf } from './dtypeOf';

export interface ValueRange {
  min: number;
  max: number;
}

/*
 * One loop per element type, on purpose: V8 specialises a loop for the array classes it has seen at
 * `a[i]`, and one shared loop that meets Int16Array, Float32Array, Uint8Array... goes megamorphic and
 * runs several times slower (435 ms against ~150 ms for a 512×512×300 int16 CT here). Closures made
 * by one factory share that feedback too, so each type needs its own function literal.
 * NaN compares false, so NaN voxels are skipped (an all-NaN array gives min Infinity, max -Infinity).
 */
const RANGE_OF: { [K in VoxelDType]: (a: never) => ValueRange } = {
  int8: (a: Int8Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  uint8: (a: Uint8Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  int16: (a: Int16Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  uint16: (a: Uint16Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  int32: (a: Int32Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  uint32: (a: Uint32Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  float32: (a: Float32Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
  float64: (a: Float64Array): ValueRange => {
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < a.length; i++) { const x = a[i]; if (x < min) min = x; if (x > max) max = x; }
    return { min, max };
  },
};

/** Ranges that the code which made an array already knew (see noteValueRange). */
const NOTED = new WeakMap<VoxelArray, ValueRange>();

/**
 * Record the range of an array its producer computed anyway (a reader that walked every voxel while
 * the file was still arriving), so that valueRange does not walk a 150 MB scan a second time. Only for
 * a fresh array that nobody writes to afterwards: the note is kept as long as the array lives.
 */
export function noteValueRange(a: VoxelArray, r: ValueRange): void {
  NOTED.set(a, { min: r.min, max: r.max });
}

/** Smallest and largest voxel value ({0, 0} for an empty array). */
export function valueRange(a: VoxelArray): ValueRange {
  if (a.length === 0) return { min: 0, max: 0 };
  const noted = NOTED.get(a);
  if (noted) return { min: noted.min, max: noted.max };
  return RANGE_OF[dtypeOf(a)](a as never);
}
