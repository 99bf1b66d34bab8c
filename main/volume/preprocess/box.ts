import type { Vec3, Volume, VoxelArray } from '../Volume';
import { spacingFromAffine, subGridAffine } from '../geometry/affine';
import { deriveMeta } from '../geometry/grid';
import { allocLike } from '../geometry/voxelArrays';
import type { SeededRandom } from '../../util/seededRandom';

/** An axis-aligned box of voxels: `start` (may be negative or run past the edge = padding) and `size`. */
export interface Box {
  start: Vec3;
  size: Vec3;
}

/**
 * Bounding box (inclusive) of voxels that differ from `background` — or, with `label`, equal it.
 * Returns null when there are none.
 */
export function boundingBox(data: VoxelArray, dims: Vec3, opts: { background?: number; label?: number } = {}): Box | null {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-1, -1, -1];
  const bg = opts.background ?? 0;
  const [nx, ny, nz] = dims;
  let p = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, p++) {
        const v = data[p];
        const hit = opts.label !== undefined ? v === opts.label : v !== bg;
        if (!hit) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
  if (hi[0] < 0) return null;
  return { start: [lo[0], lo[1], lo[2]], size: [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1] };
}

/**
 * Crop a box out of a volume; parts of the box outside the volume are padded with `pad` (default 0).
 * The affine is shifted so every kept voxel stays at its world position.
 */
export function cropBox<V extends Volume>(vol: V, box: Box, pad = 0): V {
  const [sx, sy, sz] = box.size;
  const out = allocLike(vol.data, sx * sy * sz);
  if (pad !== 0) out.fill(pad);
  forEachBoxRow(box, vol.dims, (inBox, inGrid, n) => out.set(vol.data.subarray(inGrid, inGrid + n), inBox));
  const affine = subGridAffine(vol.affine, box.start);
  return { ...vol, data: out, dims: [sx, sy, sz], affine, spacing: spacingFromAffine(affine), meta: deriveMeta(vol) };
}

/**
 * Inverse of cropBox for model outputs: write `crop` (dims = box.size) into a new array of `dims`
 * filled with `fill`, at `box.start`; parts of the box outside `dims` (padding) are dropped.
 */
export function pasteBox<T extends VoxelArray>(crop: T, box: Box, dims: Vec3, fill = 0): T {
  const out = allocLike(crop, dims[0] * dims[1] * dims[2]);
  if (fill !== 0) out.fill(fill);
  forEachBoxRow(box, dims, (inBox, inGrid, n) => out.set(crop.subarray(inBox, inBox + n), inGrid));
  return out;
}

/**
 * The x-rows a box shares with a grid of `dims`: for each, its first voxel's index in the box's
 * own array, in the grid's array, and its length (cropBox and pasteBox copy them either way).
 */
function forEachBoxRow(box: Box, dims: Vec3, row: (inBox: number, inGrid: number, length: number) => void): void {
  const [sx, sy, sz] = box.size;
  const [ox, oy, oz] = box.start;
  const [nx, ny, nz] = dims;
  const i0 = Math.max(0, -ox);
  const i1 = Math.min(sx, nx - ox);
  if (i1 <= i0) return;
  for (let k = 0; k < sz; k++) {
    const zk = oz + k;
    if (zk < 0 || zk >= nz) continue;
    for (let j = 0; j < sy; j++) {
      const yj = oy + j;
      if (yj < 0 || yj >= ny) continue;
      row(i0 + sx * (j + sy * k), ox + i0 + nx * (yj + ny * zk), i1 - i0);
    }
  }
}

export interface ExpandOptions {
  /** Fixed margin in voxels added on every side (inference). Default [0,0,0]. */
  margin?: Vec3;
  /**
   * Training: extra random margin in [0, randomMax] voxels per side, drawn from `rng` (seeded),
   * as the liver refinement stage of the Med3D paper ("crop the ROI with random expansion").
   */
  randomMax?: Vec3;
  rng?: SeededRandom;
  /** Minimum box size (e.g. the model's input), grown symmetrically. */
  minSize?: Vec3;
  /** Keep the box inside the volume (shrinking the margins); default false = pad beyond the edge. */
  clampTo?: Vec3;
}

/** Grow a box by fixed and/or random margins. */
export function expandBox(box: Box, opts: ExpandOptions = {}): Box {
  const start: number[] = [];
  const size: number[] = [];
  for (let a = 0; a < 3; a++) {
    const m = opts.margin?.[a] ?? 0;
    let before = m;
    let after = m;
    if (opts.randomMax) {
      if (!opts.rng) throw new Error('expandBox: randomMax needs a seeded rng');
      before += opts.rng.int(0, opts.randomMax[a]);
      after += opts.rng.int(0, opts.randomMax[a]);
    }
    let s = box.start[a] - before;
    let n = box.size[a] + before + after;
    const min = opts.minSize?.[a] ?? 0;
    if (n < min) {
      const extra = min - n;
      s -= Math.floor(extra / 2);
      n = min;
    }
    if (opts.clampTo) {
      const lo = Math.max(0, s);
      const hi = Math.min(opts.clampTo[a], s + n);
      s = lo;
      n = Math.max(0, hi - lo);
    }
    start.push(s);
    size.push(n);
  }
  return { start: start as Vec3, size: size as Vec3 };
}
