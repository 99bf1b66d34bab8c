import { describe, it, expect } from 'vitest';
import { slabPlan, slicesPerSlab } from './slabPlan';

function covered(nz: number, slab: number): number[] {
  const seen = new Array(nz).fill(0);
  for (const s of slabPlan(nz, slab)) for (let k = s.kStart; k < s.kStart + s.kCount; k++) seen[k]++;
  return seen;
}

describe('slabPlan', () => {
  it('starts with the centre slices, then grows outward alternately', () => {
    expect(slabPlan(300, 16).slice(0, 4)).toEqual([
      { kStart: 148, kCount: 4 },
      { kStart: 152, kCount: 16 },
      { kStart: 132, kCount: 16 },
      { kStart: 168, kCount: 16 },
    ]);
  });

  it('fetches every slice exactly once, whatever the sizes', () => {
    for (const nz of [1, 2, 3, 4, 5, 54, 300, 301])
      for (const slab of [1, 3, 16, 1000]) expect(covered(nz, slab)).toEqual(new Array(nz).fill(1));
  });

  it('the first slab is symmetric about the centre (same slices when the display flips k)', () => {
    for (const nz of [1, 2, 7, 54, 300]) {
      const f = slabPlan(nz, 8)[0];
      expect(f.kStart).toBe(nz - (f.kStart + f.kCount));
    }
  });

  it('sizes slabs in whole slices', () => {
    expect(slicesPerSlab(512 * 512 * 2, 8 * 2 ** 20)).toBe(16);
    expect(slicesPerSlab(10 * 2 ** 20, 8 * 2 ** 20)).toBe(1);
    expect(() => slabPlan(0, 4)).toThrow('at least one slice');
  });
});
