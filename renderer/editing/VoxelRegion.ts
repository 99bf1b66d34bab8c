import type { Axis, Dims3 } from './LabelGrid';

/**
 * The box of voxels an edit touched (inclusive bounds, grid indices). The viewer re-renders only
 * the views whose current slice crosses it: a stroke in the axial view leaves the sagittal and
 * coronal views alone unless it crosses their planes.
 */
export interface VoxelRegion {
  min: Dims3;
  max: Dims3;
}

/** Grows a region, kept as plain numbers while an edit runs (one call per voxel written). */
export class RegionTracker {
  private i0 = Infinity;
  private j0 = Infinity;
  private k0 = Infinity;
  private i1 = -1;
  private j1 = -1;
  private k1 = -1;

  constructor(private readonly dims: Dims3) {}

  add(index: number): void {
    const nx = this.dims[0];
    const slice = nx * this.dims[1];
    const k = Math.floor(index / slice);
    const r = index - k * slice;
    const j = Math.floor(r / nx);
    const i = r - j * nx;
    if (i < this.i0) this.i0 = i;
    if (i > this.i1) this.i1 = i;
    if (j < this.j0) this.j0 = j;
    if (j > this.j1) this.j1 = j;
    if (k < this.k0) this.k0 = k;
    if (k > this.k1) this.k1 = k;
  }

  /** The region added since the last take (null when nothing was), and starts a new one. */
  take(): VoxelRegion | null {
    if (this.i1 < 0) return null;
    const r: VoxelRegion = { min: [this.i0, this.j0, this.k0], max: [this.i1, this.j1, this.k1] };
    this.i0 = this.j0 = this.k0 = Infinity;
    this.i1 = this.j1 = this.k1 = -1;
    return r;
  }
}

/** The box around a list of flat voxel indices (e.g. an undo diff); null when the list is empty. */
export function regionOfIndices(indices: ArrayLike<number>, dims: Dims3): VoxelRegion | null {
  const t = new RegionTracker(dims);
  for (let n = 0; n < indices.length; n++) t.add(indices[n]);
  return t.take();
}

/**
 * Whether a view's plane at continuous index `at` along `axis` shows voxels of the region: a
 * plane between two slices interpolates both, so anything closer than one slice counts.
 */
export function regionCrossesSlice(r: VoxelRegion, axis: Axis, at: number): boolean {
  return at > r.min[axis] - 1 && at < r.max[axis] + 1;
}
