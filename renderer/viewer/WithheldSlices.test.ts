import { describe, it, expect } from 'vitest';
import { cache, imageLoader } from '@cornerstonejs/core';
import { WithheldSlices } from './WithheldSlices';

describe('WithheldSlices', () => {
  it('keeps the slices not arrived out of the cache and puts back the same image when one arrives', () => {
    const scan = new Int16Array(4 * 4 * 3);
    const ids = [0, 1, 2].map((k) => `withheld-test_slice_${k}`);
    ids.forEach((id, k) => imageLoader.createAndCacheLocalImage(id, { scalarData: scan.subarray(k * 16, (k + 1) * 16), dimensions: [4, 4], spacing: [1, 1] }));
    const before = cache.getImage(ids[2]);
    const held = new WithheldSlices(ids, new Set([1]));
    expect(ids.map((id) => !!cache.getImage(id))).toEqual([false, true, false]);
    scan[2 * 16] = 7; // slice 2 arrives in the one scan array
    held.release(2);
    expect(cache.getImage(ids[2])).toBe(before);
    expect(cache.getImage(ids[2])!.voxelManager!.getScalarData()[0]).toBe(7);
    held.release(2); // a slice released twice (a slab written again) is harmless
    expect(ids.map((id) => !!cache.getImage(id))).toEqual([false, true, true]);
  });
});
