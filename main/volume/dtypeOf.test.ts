import { describe, expect, it } from 'vitest';
import { dtypeOf } from './dtypeOf';

describe('dtypeOf', () => {
  it.each([
    [new Uint8Array(1), 'uint8'],
    [Buffer.alloc(1), 'uint8'],
    [new Int8Array(1), 'int8'],
    [new Int16Array(1), 'int16'],
    [new Uint16Array(1), 'uint16'],
    [new Int32Array(1), 'int32'],
    [new Uint32Array(1), 'uint32'],
    [new Float32Array(1), 'float32'],
    [new Float64Array(1), 'float64'],
  ] as const)('%o is %s', (a, d) => {
    expect(dtypeOf(a)).toBe(d);
  });
});
