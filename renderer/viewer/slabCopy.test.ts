import { describe, it, expect } from 'vitest';
import { allocateDisplayArray, copySlab } from './slabCopy';

describe('copySlab', () => {
  it('writes source k-slices into the display array, int16 kept as int16', () => {
    const dims: [number, number, number] = [2, 2, 3];
    const dst = allocateDisplayArray('int16', 12);
    expect(dst).toBeInstanceOf(Int16Array);
    const slab = new Int16Array([-1000, 1, 2, 3, 4, 5, 6, 7]); // source k 1 and 2
    expect(copySlab(dst, dims, false, 1, slab.buffer, 'int16')).toEqual([1, 2]);
    expect(Array.from(dst)).toEqual([0, 0, 0, 0, -1000, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('mirrors k for a flipped display grid and converts other types to float32', () => {
    const dims: [number, number, number] = [1, 2, 3];
    const dst = allocateDisplayArray('float64', 6);
    expect(dst).toBeInstanceOf(Float32Array);
    expect(copySlab(dst, dims, true, 0, new Float64Array([0.5, 1.5, 2.5, 3.5]).buffer, 'float64')).toEqual([2, 1]);
    expect(Array.from(dst)).toEqual([0, 0, 2.5, 3.5, 0.5, 1.5]);
  });

  it('refuses partial slices and slabs beyond the volume', () => {
    const dst = allocateDisplayArray('uint8', 8);
    expect(() => copySlab(dst, [2, 2, 2], false, 0, new Uint8Array(3).buffer, 'uint8')).toThrow('not whole 2x2 slices');
    expect(() => copySlab(dst, [2, 2, 2], false, 1, new Uint8Array(8).buffer, 'uint8')).toThrow('outside the volume');
  });
});
