import { describe, it, expect } from 'vitest';
import { EditRecorder } from './EditRecorder';
import { fillBetweenSlices } from './interpolateSlices';
import { squaredDistance2d } from './distanceTransform';
import { makeGrid, countValue } from './testGrid';
import { voxelIndex, type Axis } from './LabelGrid';

function disc(g: ReturnType<typeof makeGrid>, axis: Axis, s: number, r: number, value = 1): void {
  const c = 10;
  for (let v = 0; v < 21; v++)
    for (let u = 0; u < 21; u++) {
      if ((u - c) ** 2 + (v - c) ** 2 > r * r) continue;
      const ijk = axis === 2 ? [u, v, s] : axis === 1 ? [u, s, v] : [s, u, v];
      g.data[voxelIndex(g.dims, ijk[0], ijk[1], ijk[2])] = value;
    }
}

function sliceCount(g: ReturnType<typeof makeGrid>, k: number, value = 1): number {
  let c = 0;
  for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) if (g.data[voxelIndex(g.dims, i, j, k)] === value) c++;
  return c;
}

describe('distance transform', () => {
  it('matches brute force on a random pattern with anisotropic pixels', () => {
    const w = 13, h = 9, sx = 0.7, sy = 1.9;
    const mask = Array.from({ length: w * h }, (_, n) => (n * 7919) % 11 === 0);
    const d = squaredDistance2d((p) => mask[p], w, h, sx, sy);
    for (let p = 0; p < w * h; p++) {
      let best = Infinity;
      for (let q = 0; q < w * h; q++) if (mask[q]) best = Math.min(best, ((p % w) - (q % w)) ** 2 * sx * sx + (Math.floor(p / w) - Math.floor(q / w)) ** 2 * sy * sy);
      expect(d[p]).toBeCloseTo(best, 6);
    }
  });
});

describe('fillBetweenSlices', () => {
  it.each([0, 1, 2] as const)('morphs a small disc into a large one along axis %i', (axis) => {
    const g = makeGrid([21, 21, 21]);
    disc(g, axis, 2, 3);
    disc(g, axis, 10, 7);
    const before = countValue(g.data, 1);
    const n = fillBetweenSlices(new EditRecorder(g), 1, axis);
    expect(n).toBeGreaterThan(0);
    expect(countValue(g.data, 1)).toBe(before + n);
    if (axis === 2) {
      const areas = [2, 4, 6, 8, 10].map((k) => sliceCount(g, k));
      for (let m = 1; m < areas.length; m++) expect(areas[m]).toBeGreaterThan(areas[m - 1]);
      expect(sliceCount(g, 0)).toBe(0); // no extrapolation beyond the drawn slices
      expect(sliceCount(g, 11)).toBe(0);
    }
  });

  it('never overwrites another label and leaves adjacent slices alone', () => {
    const g = makeGrid([21, 21, 21]);
    disc(g, 2, 4, 5);
    disc(g, 2, 5, 5);
    disc(g, 2, 8, 5);
    g.data[voxelIndex(g.dims, 10, 10, 6)] = 2;
    fillBetweenSlices(new EditRecorder(g), 1, 2);
    expect(g.data[voxelIndex(g.dims, 10, 10, 6)]).toBe(2);
    expect(sliceCount(g, 6)).toBe(sliceCount(g, 4) - 1);
    expect(sliceCount(g, 7)).toBe(sliceCount(g, 4));
  });
});
