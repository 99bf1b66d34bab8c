import { describe, expect, it } from 'vitest';
import { thresholdEntropy } from './thresholdEntropy';

describe('thresholdEntropy', () => {
  it('is 0 for voxels far from the threshold, ln 2 at it, and counts only the mask bounding box', () => {
    const dims: [number, number, number] = [4, 1, 1];
    expect(thresholdEntropy([-1000, -1000, 0, 0], dims, Uint8Array.of(1, 1, 0, 0), -400)).toBeCloseTo(0, 3);
    expect(thresholdEntropy([-400, -400, 0, 0], dims, Uint8Array.of(1, 1, 0, 0), -400)).toBeCloseTo(Math.log(2), 6);
    // The ambiguous voxel lies outside the box of the mask: it does not count.
    expect(thresholdEntropy([-1000, -1000, 0, -400], dims, Uint8Array.of(1, 1, 0, 0), -400)).toBeCloseTo(0, 3);
  });

  it('ranks a noisy boundary above a clean one; an empty mask uses the whole volume', () => {
    const dims: [number, number, number] = [3, 1, 1];
    const clean = thresholdEntropy([-900, -900, 40], dims, Uint8Array.of(1, 1, 0), -400);
    const murky = thresholdEntropy([-900, -420, 40], dims, Uint8Array.of(1, 1, 0), -400);
    expect(murky).toBeGreaterThan(clean);
    expect(thresholdEntropy([-400, 0, 0], dims, Uint8Array.of(0, 0, 0), -400)).toBeCloseTo(Math.log(2) / 3, 2);
  });
});
