import type { Axis, IntensityImage, LabelGrid } from './LabelGrid';
import { inBounds, voxelIndex } from './LabelGrid';
import type { EditRecorder } from './EditRecorder';

export interface FloodFillOptions {
  /** Label written into the region. */
  value: number;
  /** 2D fill within the slice normal to this index axis; undefined fills in 3D. */
  axis?: Axis;
  /**
   * Region criterion. With an intensity range the region is the connected set of voxels whose
   * intensity lies in [min, max] (Slicer's flood filling); without, it is the connected set of
   * voxels holding the same label as the seed (a bucket fill, e.g. to close a hole).
   */
  range?: { image: IntensityImage; min: number; max: number };
  /** Safety cap on the region size (voxels); the fill stops there. Default: no cap. */
  maxVoxels?: number;
}

/** Fills the 6-connected (4-connected in 2D) region containing `seed`. Returns voxels written. */
export function floodFill(rec: EditRecorder, seed: [number, number, number], o: FloodFillOptions): number {
  const g: LabelGrid = rec.grid;
  const dims = g.dims;
  const [si, sj, sk] = seed;
  if (!inBounds(dims, si, sj, sk)) return 0;
  const n = dims[0] * dims[1] * dims[2];
  const seedIdx = voxelIndex(dims, si, sj, sk);
  const seedLabel = g.data[seedIdx];
  const range = o.range;
  const inRegion = (idx: number): boolean =>
    range ? range.image.data[idx] >= range.min && range.image.data[idx] <= range.max : g.data[idx] === seedLabel;
  if (!inRegion(seedIdx)) return 0;
  if (!range && seedLabel === o.value) return 0;
  const visited = new Uint8Array(n);
  let stack = new Int32Array(1024);
  let top = 0;
  stack[top++] = seedIdx;
  visited[seedIdx] = 1;
  const sx = 1;
  const sy = dims[0];
  const sz = dims[0] * dims[1];
  const cap = o.maxVoxels ?? Infinity;
  let count = 0;
  const push = (idx: number): void => {
    if (visited[idx] || !inRegion(idx)) return;
    visited[idx] = 1;
    if (top === stack.length) {
      const bigger = new Int32Array(stack.length * 2);
      bigger.set(stack);
      stack = bigger;
    }
    stack[top++] = idx;
  };
  while (top > 0 && count < cap) {
    const idx = stack[--top];
    if (rec.set(idx, o.value)) count++;
    const i = idx % sy;
    const j = Math.floor(idx / sy) % dims[1];
    const k = Math.floor(idx / sz);
    if (o.axis !== 0) {
      if (i > 0) push(idx - sx);
      if (i < dims[0] - 1) push(idx + sx);
    }
    if (o.axis !== 1) {
      if (j > 0) push(idx - sy);
      if (j < dims[1] - 1) push(idx + sy);
    }
    if (o.axis !== 2) {
      if (k > 0) push(idx - sz);
      if (k < dims[2] - 1) push(idx + sz);
    }
  }
  return count;
}
