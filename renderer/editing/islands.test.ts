import { describe, it, expect } from 'vitest';
import { EditRecorder } from './EditRecorder';
import { connectedComponents } from '../../common/mask/connectedComponents';
import { keepLargestIsland, removeSmallIslands } from './islands';
import { makeGrid, countValue } from './testGrid';
import { voxelIndex } from './LabelGrid';

function scene(): ReturnType<typeof makeGrid> {
  const g = makeGrid([10, 10, 10]);
  for (let k = 0; k < 4; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) g.data[voxelIndex(g.dims, i, j, k)] = 1; // 64
  for (let i = 6; i < 9; i++) g.data[voxelIndex(g.dims, i, 8, 8)] = 1; // 3
  g.data[voxelIndex(g.dims, 5, 5, 5)] = 1; // 1, diagonal-free
  g.data[voxelIndex(g.dims, 4, 4, 4)] = 1; // touches the cube only by a corner
  g.data[voxelIndex(g.dims, 9, 0, 0)] = 2; // other label
  return g;
}

describe('islands', () => {
  it('counts components with 6 and 26 connectivity', () => {
    const g = scene();
    const c6 = connectedComponents(g.data, g.dims, 1, 6);
    expect(c6.sizes.slice(1).sort((a, b) => b - a)).toEqual([64, 3, 1, 1]);
    const c26 = connectedComponents(g.data, g.dims, 1, 26);
    expect(c26.sizes.slice(1).sort((a, b) => b - a)).toEqual([66, 3]);
  });

  it('removes islands smaller than the minimum size', () => {
    const g = scene();
    const removed = removeSmallIslands(new EditRecorder(g), 1, 3);
    expect(removed).toBe(2);
    expect(countValue(g.data, 1)).toBe(67);
    expect(countValue(g.data, 2)).toBe(1);
  });

  it('keeps only the largest island', () => {
    const g = scene();
    const rec = new EditRecorder(g);
    expect(keepLargestIsland(rec, 1)).toBe(5);
    expect(countValue(g.data, 1)).toBe(64);
    expect(rec.finish().indices.length).toBe(5);
  });
});
