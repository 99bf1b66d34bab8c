import { describe, expect, it } from 'vitest';
import type { VoxelArray } from './Volume';
import { noteValueRange, valueRange } from './valueRange';

const CASES: Array<[string, VoxelArray, number, number]> = [
  ['int8', Int8Array.from([3, -128, 127, 0]), -128, 127],
  ['uint8', Uint8Array.from([7, 0, 255, 9]), 0, 255],
  ['uint8 Buffer', Buffer.from([4, 2, 8]), 2, 8],
  ['int16', Int16Array.from([-1024, 5, 3000, -32768]), -32768, 3000],
  ['uint16', Uint16Array.from([65535, 1, 2]), 1, 65535],
  ['int32', Int32Array.from([-2147483648, 0, 2147483647]), -2147483648, 2147483647],
  ['uint32', Uint32Array.from([4294967295, 10]), 10, 4294967295],
  ['float32', Float32Array.from([0.5, -1.25, 2]), -1.25, 2],
  ['float64', Float64Array.from([1e300, -1e-300, -7]), -7, 1e300],
  ['a view into a larger buffer', new Int16Array(Int16Array.from([-9, 1, 2, 3, 99]).buffer, 2, 3), 1, 3],
];

describe('valueRange', () => {
  it.each(CASES)('%s', (_name, a, min, max) => {
    expect(valueRange(a)).toEqual({ min, max });
  });

  it('every type after every other gives the same answers (each type has its own loop)', () => {
    for (let round = 0; round < 3; round++) for (const [, a, min, max] of CASES) expect(valueRange(a)).toEqual({ min, max });
  });

  it('an empty array is {0, 0}', () => {
    expect(valueRange(new Float32Array(0))).toEqual({ min: 0, max: 0 });
    expect(valueRange(new Int16Array(0))).toEqual({ min: 0, max: 0 });
  });

  it('NaN voxels are skipped; ±Infinity count; all-NaN gives Infinity / -Infinity', () => {
    expect(valueRange(Float32Array.from([NaN, 2, NaN, -3]))).toEqual({ min: -3, max: 2 });
    expect(valueRange(Float64Array.from([NaN, Infinity, -Infinity]))).toEqual({ min: -Infinity, max: Infinity });
    expect(valueRange(Float32Array.from([NaN, NaN]))).toEqual({ min: Infinity, max: -Infinity });
  });

  it('a noted range is returned for that array only', () => {
    const a = Int16Array.from([1, 2, 3]);
    noteValueRange(a, { min: 1, max: 3 });
    a[0] = -50; // a producer notes only arrays nobody writes to; this shows the note is what answers
    expect(valueRange(a)).toEqual({ min: 1, max: 3 });
    expect(valueRange(Int16Array.from(a))).toEqual({ min: -50, max: 3 });
  });
});
