import { describe, it, expect } from 'vitest';
import { EditRecorder } from './EditRecorder';
import { regionOfIndices } from './VoxelRegion';
import { UndoStack } from './UndoStack';
import { makeGrid } from './testGrid';

function edit(grid: ReturnType<typeof makeGrid>, stack: UndoStack, indices: number[], value: number, locked?: boolean[]): void {
  const rec = new EditRecorder(grid, locked);
  for (const i of indices) rec.set(i, value);
  stack.push(rec.finish());
}

describe('EditRecorder + UndoStack (sparse diffs)', () => {
  it('records only changed voxels, sorted, with first previous value', () => {
    const g = makeGrid([4, 4, 4]);
    g.data[5] = 2;
    const rec = new EditRecorder(g);
    rec.set(9, 1);
    rec.set(5, 1);
    rec.set(5, 3); // written twice: before stays the original 2
    rec.set(7, 0); // unchanged
    const d = rec.finish();
    expect(Array.from(d.indices)).toEqual([5, 9]);
    expect(Array.from(d.before)).toEqual([2, 0]);
    expect(Array.from(d.after)).toEqual([3, 1]);
    expect(regionOfIndices(d.indices, g.dims)).toEqual({ min: [1, 1, 0], max: [1, 2, 0] });
    // Everything written so far (9, 5; 7 was unchanged), then i=0 j=2 k=2 alone.
    expect(rec.takeDirtyRegion()).toEqual({ min: [1, 1, 0], max: [1, 2, 0] });
    rec.set(40, 1);
    expect(rec.takeDirtyRegion()).toEqual({ min: [0, 2, 2], max: [0, 2, 2] });
    expect(rec.takeDirtyRegion()).toBeNull();
  });

  it('never overwrites a locked label', () => {
    const g = makeGrid([2, 2, 2]);
    g.data[0] = 2;
    const rec = new EditRecorder(g, [false, false, true]);
    expect(rec.set(0, 1)).toBe(false);
    expect(rec.set(0, 0)).toBe(false);
    expect(rec.set(1, 2)).toBe(true); // painting the locked label itself elsewhere is allowed
    expect(g.data[0]).toBe(2);
  });

  it('undo/redo restore the exact data over 60 steps and a new edit drops redo', () => {
    const g = makeGrid([8, 8, 8]);
    const stack = new UndoStack(100);
    const snapshots: Uint8Array[] = [g.data.slice()];
    for (let s = 0; s < 60; s++) {
      edit(g, stack, [s, (s * 37) % 512, (s * 91) % 512], (s % 5) + 1);
      snapshots.push(g.data.slice());
    }
    expect(stack.undoDepth).toBe(60);
    for (let s = 59; s >= 0; s--) {
      stack.undo(g.data);
      expect(g.data).toEqual(snapshots[s]);
    }
    expect(stack.canUndo).toBe(false);
    for (let s = 1; s <= 30; s++) {
      stack.redo(g.data);
      expect(g.data).toEqual(snapshots[s]);
    }
    edit(g, stack, [500], 9);
    expect(stack.canRedo).toBe(false);
    expect(stack.undo(g.data)).not.toBeNull();
    expect(g.data).toEqual(snapshots[30]);
  });

  it('caps history at capacity, dropping the oldest step', () => {
    const g = makeGrid([4, 4, 4]);
    const stack = new UndoStack(50);
    for (let s = 0; s < 55; s++) edit(g, stack, [s], 1);
    expect(stack.undoDepth).toBe(50);
    while (stack.canUndo) stack.undo(g.data);
    // The first 5 edits can no longer be undone.
    expect(Array.from(g.data.subarray(0, 6))).toEqual([1, 1, 1, 1, 1, 0]);
    expect(stack.bytes).toBeGreaterThan(0);
  });

  it('ignores empty diffs', () => {
    const stack = new UndoStack();
    stack.push({ indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) });
    expect(stack.canUndo).toBe(false);
  });
});
