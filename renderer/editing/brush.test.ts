import { describe, it, expect } from 'vitest';
import { EditRecorder } from './EditRecorder';
import { paintDab, paintStroke, type BrushOptions } from './brush';
import { makeGrid, countValue } from './testGrid';
import { voxelIndex } from './LabelGrid';

const base: BrushOptions = { radiusMm: 2, shape: 'sphere', axis: 2, value: 1 };

describe('brush (size in mm)', () => {
  it.each([
    ['sphere r=2mm, 1mm voxels', [1, 1, 1], 'sphere', 33],
    ['circle r=2mm, 1mm voxels', [1, 1, 1], 'circle', 13],
    ['sphere r=2mm, 2mm slices', [1, 1, 2], 'sphere', 13 + 2],
  ] as const)('%s paints the voxels whose centres are within the radius', (_t, spacing, shape, expected) => {
    const g = makeGrid([11, 11, 11], [...spacing]);
    const rec = new EditRecorder(g);
    paintDab(rec, [5, 5, 5], { ...base, shape });
    expect(countValue(g.data, 1)).toBe(expected);
    if (shape === 'circle') expect(g.data[voxelIndex(g.dims, 5, 5, 4)]).toBe(0);
  });

  it('paints at least the voxel under the cursor with a tiny brush', () => {
    const g = makeGrid([5, 5, 5]);
    paintDab(new EditRecorder(g), [2.2, 1.9, 3], { ...base, radiusMm: 0.1 });
    expect(countValue(g.data, 1)).toBe(1);
    expect(g.data[voxelIndex(g.dims, 2, 2, 3)]).toBe(1);
  });

  it('threshold-limited brush paints only within the HU range', () => {
    const g = makeGrid([9, 9, 1]);
    const hu = new Int16Array(81);
    for (let n = 0; n < 81; n++) hu[n] = n % 9 < 4 ? -800 : 40; // left columns air, right soft tissue
    paintDab(new EditRecorder(g), [4, 4, 0], { ...base, radiusMm: 4, shape: 'circle', threshold: { image: { data: hu, dims: g.dims }, min: -100, max: 200 } });
    for (let n = 0; n < 81; n++) if (g.data[n] === 1) expect(hu[n]).toBe(40);
    expect(countValue(g.data, 1)).toBeGreaterThan(10);
  });

  it('eraser clears unlocked labels, or only the selected one', () => {
    const g = makeGrid([5, 5, 1]);
    g.data.fill(2, 0, 10);
    g.data.fill(3, 10, 25);
    paintDab(new EditRecorder(g, [false, false, false, true]), [2, 2, 0], { ...base, value: 0, radiusMm: 10, shape: 'circle' });
    expect(countValue(g.data, 2)).toBe(0);
    expect(countValue(g.data, 3)).toBe(15);
    const g2 = makeGrid([5, 5, 1]);
    g2.data.fill(2, 0, 10);
    g2.data.fill(3, 10, 25);
    paintDab(new EditRecorder(g2), [2, 2, 0], { ...base, value: 0, radiusMm: 10, shape: 'circle', eraseOnly: 3 });
    expect(countValue(g2.data, 2)).toBe(10);
    expect(countValue(g2.data, 3)).toBe(0);
  });

  it('a fast stroke leaves no gaps', () => {
    const g = makeGrid([40, 5, 1]);
    paintStroke(new EditRecorder(g), [1, 2, 0], [38, 2, 0], { ...base, radiusMm: 1, shape: 'circle' });
    for (let i = 1; i <= 38; i++) expect(g.data[voxelIndex(g.dims, i, 2, 0)]).toBe(1);
  });
});
