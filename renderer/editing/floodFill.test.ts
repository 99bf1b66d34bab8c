import { describe, it, expect } from 'vitest';
import { EditRecorder } from './EditRecorder';
import { floodFill } from './floodFill';
import { makeGrid, countValue } from './testGrid';
import { voxelIndex } from './LabelGrid';

describe('floodFill', () => {
  it('bucket-fills a hole enclosed by a ring in 2D without leaking', () => {
    const g = makeGrid([7, 7, 2]);
    for (let j = 1; j <= 5; j++) for (let i = 1; i <= 5; i++) if (i === 1 || i === 5 || j === 1 || j === 5) g.data[voxelIndex(g.dims, i, j, 0)] = 1;
    const n = floodFill(new EditRecorder(g), [3, 3, 0], { value: 1, axis: 2 });
    expect(n).toBe(9);
    expect(countValue(g.data, 1)).toBe(25);
    expect(g.data[voxelIndex(g.dims, 3, 3, 1)]).toBe(0); // other slice untouched
  });

  it('fills the connected intensity range in 3D', () => {
    const g = makeGrid([6, 6, 6]);
    const img = new Float32Array(216).fill(-1000);
    for (let k = 1; k < 5; k++) for (let j = 1; j < 5; j++) for (let i = 1; i < 3; i++) img[voxelIndex(g.dims, i, j, k)] = 50;
    img[voxelIndex(g.dims, 5, 5, 5)] = 50; // disconnected, must stay empty
    const n = floodFill(new EditRecorder(g), [1, 1, 1], { value: 4, range: { image: { data: img, dims: g.dims }, min: 0, max: 100 } });
    expect(n).toBe(32);
    expect(g.data[voxelIndex(g.dims, 5, 5, 5)]).toBe(0);
  });

  it('does nothing when the seed is outside the range or already the value', () => {
    const g = makeGrid([3, 3, 3]);
    g.data.fill(2);
    expect(floodFill(new EditRecorder(g), [1, 1, 1], { value: 2 })).toBe(0);
    expect(floodFill(new EditRecorder(g), [9, 1, 1], { value: 1 })).toBe(0);
  });

  it('respects locked labels and the voxel cap', () => {
    const g = makeGrid([10, 1, 1]);
    g.data[5] = 3;
    const n = floodFill(new EditRecorder(g, [false, false, false, true]), [0, 0, 0], { value: 1 });
    expect(n).toBe(5);
    const g2 = makeGrid([10, 10, 10]);
    expect(floodFill(new EditRecorder(g2), [0, 0, 0], { value: 1, maxVoxels: 100 })).toBe(100);
  });
});
