import { describe, it, expect } from 'vitest';
import { LabelEditor } from './LabelEditor';
import { makeGrid, countValue } from './testGrid';
import { voxelIndex } from './LabelGrid';

describe('LabelEditor', () => {
  it('a stroke is one undo step; undo/redo restore it exactly', () => {
    const g = makeGrid([32, 32, 4]);
    const ed = new LabelEditor(g);
    ed.brush = { ...ed.brush, radiusMm: 2, shape: 'circle' };
    ed.beginStroke([4, 4, 1], 2);
    ed.continueStroke([20, 4, 1]);
    ed.continueStroke([20, 20, 1]);
    const d = ed.endStroke();
    expect(d?.indices.length).toBe(countValue(g.data, 1));
    const painted = g.data.slice();
    expect(ed.undo.undoDepth).toBe(1);
    ed.undoStep();
    expect(countValue(g.data, 1)).toBe(0);
    ed.redoStep();
    expect(g.data).toEqual(painted);
  });

  it('locks protect a label from paint, erase and fill', () => {
    const g = makeGrid([10, 10, 1]);
    g.data[voxelIndex(g.dims, 5, 5, 0)] = 2;
    const ed = new LabelEditor(g);
    ed.locked[2] = true;
    ed.brush.radiusMm = 20;
    ed.beginStroke([5, 5, 0], 2);
    ed.endStroke();
    expect(g.data[voxelIndex(g.dims, 5, 5, 0)]).toBe(2);
    ed.beginStroke([5, 5, 0], 2, true);
    ed.endStroke();
    expect(countValue(g.data, 2)).toBe(1);
    expect(countValue(g.data, 1)).toBe(0);
  });

  it('threshold brush and fill use the intensity image', () => {
    const g = makeGrid([10, 10, 1]);
    const img = new Int16Array(100).map((_, n) => (n % 10 < 5 ? -1000 : 50));
    const ed = new LabelEditor(g, { data: img, dims: g.dims });
    ed.brush = { radiusMm: 30, shape: 'circle', threshold: { enabled: true, min: 0, max: 100 } };
    ed.beginStroke([2, 2, 0], 2);
    ed.endStroke();
    expect(countValue(g.data, 1)).toBe(50);
    ed.undoStep();
    ed.activeLabel = 3;
    ed.fill([7, 7, 0], 2);
    expect(countValue(g.data, 3)).toBe(50);
  });

  it('replaceAll loads a map as an undoable step and checks the size', () => {
    const g = makeGrid([4, 4, 4]);
    const ed = new LabelEditor(g);
    const next = new Uint8Array(64).fill(1);
    ed.replaceAll(next);
    expect(countValue(g.data, 1)).toBe(64);
    ed.undoStep();
    expect(countValue(g.data, 1)).toBe(0);
    expect(() => ed.replaceAll(new Uint8Array(3))).toThrow(/3 voxels/);
  });
});
