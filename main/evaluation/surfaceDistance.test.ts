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

  it.each([
    ['touching the grid edge', 0],
    ['inside the grid', 2],
  ])('random blobs %s: equals brute-force surface distances on the whole grid', (_name, margin) => {
    const dims: Vec3 = [12, 10, 9];
    const spacing: Vec3 = [0.7, 1.1, 2.5];
    let seed = 99 + margin;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const blob = (c: Vec3, r: number): Uint8Array => {
      const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (let k = margin; k < dims[2] - margin; k++)
        for (let j = margin; j < dims[1] - margin; j++)
          for (let i = margin; i < dims[0] - margin; i++)
            if (Math.hypot((i - c[0]) * spacing[0], (j - c[1]) * spacing[1], (k - c[2]) * spacing[2]) < r + 2 * rand()) m[i + dims[0] * (j + dims[1] * k)] = 1;
      return m;
    };
    const a = blob([3, 4, 3], 4);
    const b = blob([6, 5, 4], 5);
    const coords = (m: Uint8Array): Vec3[] => {
      const s = surfaceVoxels(m, dims);
      const out: Vec3[] = [];
      s.forEach((v, p) => v && out.push([p % dims[0], Math.floor(p / dims[0]) % dims[1], Math.floor(p / (dims[0] * dims[1]))]));
      return out;
    };
    const directed = (from: Vec3[], to: Vec3[]): number[] =>
      from.map((p) => Math.min(...to.map((q) => Math.hypot((p[0] - q[0]) * spacing[0], (p[1] - q[1]) * spacing[1], (p[2] - q[2]) * spacing[2]))));
    const p95 = (v: number[]): number => {
      const s = [...v].sort((x, y) => x - y);
      const r = 0.95 * (s.length - 1);
      const lo = Math.floor(r);
      return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (r - lo) : s[lo];
    };
    const sa = coords(a);
    const sb = coords(b);
    const want = Math.max(p95(directed(sa, sb)), p95(directed(sb, sa)));
    expect(want).toBeGreaterThan(0);
    expect(hausdorffDistance(a, b, dims, spacing)).toBeCloseTo(want, 9);
  });
});
