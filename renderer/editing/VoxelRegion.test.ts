import { describe, it, expect } from 'vitest';
import { RegionTracker, regionCrossesSlice, regionOfIndices } from './VoxelRegion';
import { voxelIndex, type Dims3 } from './LabelGrid';

const dims: Dims3 = [7, 5, 4];

describe('VoxelRegion', () => {
  it('tracks the box of the voxels added and starts over after take', () => {
    const t = new RegionTracker(dims);
    expect(t.take()).toBeNull();
    t.add(voxelIndex(dims, 6, 0, 3));
    t.add(voxelIndex(dims, 1, 4, 2));
    t.add(voxelIndex(dims, 3, 2, 2));
    expect(t.take()).toEqual({ min: [1, 0, 2], max: [6, 4, 3] });
    expect(t.take()).toBeNull();
    t.add(voxelIndex(dims, 0, 0, 0));
    expect(t.take()).toEqual({ min: [0, 0, 0], max: [0, 0, 0] });
  });

  it('boxes a diff and tells which view slices it crosses', () => {
    const r = regionOfIndices([voxelIndex(dims, 2, 1, 1), voxelIndex(dims, 4, 3, 1)], dims)!;
    expect(r).toEqual({ min: [2, 1, 1], max: [4, 3, 1] });
    expect(regionCrossesSlice(r, 2, 1)).toBe(true); // the axial slice it was drawn on
    expect(regionCrossesSlice(r, 2, 2)).toBe(false);
    expect(regionCrossesSlice(r, 0, 3)).toBe(true); // a sagittal plane through it
    expect(regionCrossesSlice(r, 0, 5)).toBe(false);
    expect(regionCrossesSlice(r, 1, 0)).toBe(false);
    expect(regionCrossesSlice(r, 2, 1.6)).toBe(true); // a plane between slices 1 and 2 blends both
    expect(regionCrossesSlice(r, 2, 0.4)).toBe(true);
    expect(regionOfIndices([], dims)).toBeNull();
  });
});
