import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../volume/Volume';
import { hausdorffDistance, surfaceVoxels } from './surfaceDistance';

function cube(dims: Vec3, lo: Vec3, hi: Vec3): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) m[i + dims[0] * (j + dims[1] * k)] = 1;
  return m;
}

describe('surface voxels and the 95 % Hausdorff distance', () => {
  it('a 3×3×3 cube inside a 5×5×5 grid has 26 surface voxels (all but its centre)', () => {
    const s = surfaceVoxels(cube([5, 5, 5], [1, 1, 1], [3, 3, 3]), [5, 5, 5]);
    expect(s.reduce((a, b) => a + b, 0)).toBe(26);
    expect(s[2 + 5 * (2 + 5 * 2)]).toBe(0);
  });

  it('single voxels 3 apart along i at 2 mm: 6 mm', () => {
    const a = new Uint8Array(5);
    const b = new Uint8Array(5);
    a[0] = 1;
    b[3] = 1;
    expect(hausdorffDistance(a, b, [5, 1, 1], [2, 1, 1])).toBe(6);
  });

  it('percentile interpolation: directed distances [0] and [0, 4] mm give 0.95 × 4 = 3.8 mm', () => {
    const a = Uint8Array.from([1, 0, 0, 0, 0]);
    const b = Uint8Array.from([1, 0, 0, 0, 1]);
    expect(hausdorffDistance(a, b, [5, 1, 1], [1, 1, 1])).toBeCloseTo(3.8, 12);
    expect(hausdorffDistance(b, a, [5, 1, 1], [1, 1, 1])).toBeCloseTo(3.8, 12);
  });

  it('a cube shifted by one voxel along i (2 mm voxels): 2 mm; the same cube: 0', () => {
    const dims: Vec3 = [7, 5, 5];
    const a = cube(dims, [1, 1, 1], [3, 3, 3]);
    const b = cube(dims, [2, 1, 1], [4, 3, 3]);
    expect(hausdorffDistance(a, b, dims, [2, 1, 1])).toBe(2);
    expect(hausdorffDistance(a, a, dims, [2, 1, 1])).toBe(0);
  });

  it('an empty mask makes the distance undefined (NaN)', () => {
    expect(hausdorffDistance(new Uint8Array(8), cube([2, 2, 2], [0, 0, 0], [0, 0, 0]), [2, 2, 2], [1, 1, 1])).toBeNaN();
  });
});
