import type { VoxelArray } from '../../Volume';
import { noteValueRange, type ValueRange } from '../../valueRange';
import { dot, scale, sub, type StackPlan, type V3 } from './stackGeometry';

export interface ResampledStack {
  /** Same integer type as the input (interpolated values rounded: they stay within the input's range); Float32 for float input. */
  data: VoxelArray;
  /** Slices in the output grid. */
  nk: number;
  /** LPS position of voxel (0,0,0): the first slice's origin. */
  origin: V3;
  /** Output slice spacing along the normal (mm). */
  spacing: number;
  /** Output slices that fall between two input slices more than 1.5 output spacings apart (gaps). */
  gapSlices: number;
  /** Output voxels that had no source data (outside the tilted stack) and got `fill`. */
  filledVoxels: number;
}

/** Output pixels i0 ≤ i < i1, j0 ≤ j < j1 of a slice that have source data (a shifted slice covers a rectangle). */
interface Covered {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** The output array: the input's integer class (a CT stays int16, half the memory of float32), else Float32. */
function outputLike(src: VoxelArray, n: number): VoxelArray {
  if (src instanceof Float32Array || src instanceof Float64Array) return new Float32Array(n);
  return new (src.constructor as new (n: number) => VoxelArray)(n);
}

/**
 * Resample a sheared (gantry-tilted) and/or irregularly spaced stack onto the orthogonal grid spanned
 * by the first slice's rows/columns and the slice normal, with uniform spacing `spacing`.
 * Each output voxel is the linear interpolation, along the normal, of the two nearest input slices, each
 * sampled bilinearly at the same patient position (input slices are parallel, so a slice's in-plane
 * offset is one constant shift). `src` holds the input slices in `plan.slices` order.
 * Integer input gives the same integer type, rounded to the nearest value: sub-unit interpolation
 * steps (fractions of a HU) carry no information a stored integer scan had, and float32 would double
 * the memory of the scan everywhere it goes (service, transfer, renderer, GPU texture).
 */
export function resampleStack(src: VoxelArray, cols: number, rows: number, plan: StackPlan<unknown>, spacing: number, fill: number): ResampledStack {
  const { positions, normal, row, col, inplaneSpacing } = plan;
  const nIn = positions.length;
  const span = positions[nIn - 1] - positions[0];
  const nk = Math.max(1, Math.round(span / spacing) + 1);
  const sliceSize = cols * rows;
  const out = outputLike(src, sliceSize * nk);
  const origin = plan.slices[0].position;
  // Per input slice: in-plane offset of its origin from the first slice's normal line, in pixels.
  const shifts = plan.slices.map((s) => {
    const v = sub(s.position, origin);
    const inplane = sub(v, scale(normal, dot(v, normal)));
    return [dot(inplane, row) / inplaneSpacing[0], dot(inplane, col) / inplaneSpacing[1]] as [number, number];
  });
  let gapSlices = 0;
  let filled = 0;
  const round = !(out instanceof Float32Array);
  const cur = new Float32Array(sliceSize);
  const tmp = new Float32Array(sliceSize);
  const range: ValueRange = { min: Infinity, max: -Infinity };
  const scratch: ValueRange = { min: Infinity, max: -Infinity };
  let s = 0;
  for (let k = 0; k < nk; k++) {
    const d = positions[0] + k * spacing;
    while (s < nIn - 2 && positions[s + 1] <= d + 1e-6) s++;
    const gap = positions[s + 1] - positions[s];
    let w = nIn === 1 ? 0 : (d - positions[s]) / (gap || 1);
    w = Math.min(1, Math.max(0, w));
    if (nIn > 1 && gap > 1.5 * spacing && w > 1e-6 && w < 1 - 1e-6) gapSlices++;
    const base = k * sliceSize;
    let c: Covered;
    if (w < 1e-6 || w > 1 - 1e-6 || nIn === 1) {
      // One input slice: sampled straight into the output (the usual uniform tilted stack).
      const from = w > 1 - 1e-6 && nIn > 1 ? s + 1 : s;
      c = sampleShifted(src, from * sliceSize, cols, rows, shifts[from], out, base, round, range);
    } else {
      const a = sampleShifted(src, s * sliceSize, cols, rows, shifts[s], cur, 0, false, scratch);
      const b = sampleShifted(src, (s + 1) * sliceSize, cols, rows, shifts[s + 1], tmp, 0, false, scratch);
      c = { i0: Math.max(a.i0, b.i0), i1: Math.min(a.i1, b.i1), j0: Math.max(a.j0, b.j0), j1: Math.min(a.j1, b.j1) };
      for (let j = c.j0; j < c.j1; j++) {
        for (let p = j * cols + c.i0, end = j * cols + c.i1; p < end; p++) {
          cur[p] = cur[p] * (1 - w) + tmp[p] * w;
          // floor(x + 0.5) is Math.round for float32 x (exact in double) and several times faster here.
          const v = round ? Math.floor(cur[p] + 0.5) : cur[p];
          out[base + p] = v;
          if (v < range.min) range.min = v;
          if (v > range.max) range.max = v;
        }
      }
    }
    const covered = Math.max(0, c.i1 - c.i0) * Math.max(0, c.j1 - c.j0);
    if (covered < sliceSize) {
      fillOutside(out, base, c, cols, rows, fill);
      filled += sliceSize - covered;
      range.min = Math.min(range.min, fill);
      range.max = Math.max(range.max, fill);
    }
  }
  // Known from the writing: the scan's header range needs no second pass over the voxels.
  noteValueRange(out, range);
  return { data: out, nk, origin, spacing, gapSlices, filledVoxels: filled };
}

/** `fill` in the pixels of slice `base` outside the covered rectangle. */
function fillOutside(out: VoxelArray, base: number, c: Covered, cols: number, rows: number, fill: number): void {
  const empty = c.i1 <= c.i0 || c.j1 <= c.j0;
  for (let j = 0; j < rows; j++) {
    const o = base + j * cols;
    if (empty || j < c.j0 || j >= c.j1) out.fill(fill, o, o + cols);
    else {
      out.fill(fill, o, o + c.i0);
      out.fill(fill, o + c.i1, o + cols);
    }
  }
}

/**
 * out[outBase + (j, i)] = src slice sampled at (i - shift_i, j - shift_j), bilinear, for the pixels whose
 * samples fall inside the slice (the returned rectangle; the rest of `out` is left as it was); values
 * are float32, rounded for an integer `out` (`round`), and `range` grows to include them. Integer
 * shifts copy exactly; a shift along one axis only (the usual gantry tilt) reads two neighbours, not four.
 */
function sampleShifted(
  src: VoxelArray,
  base: number,
  cols: number,
  rows: number,
  shift: [number, number],
  out: VoxelArray,
  outBase: number,
  round: boolean,
  range: ValueRange,
): Covered {
  const ax = -shift[0];
  const ay = -shift[1];
  let x0 = Math.floor(ax);
  let y0 = Math.floor(ay);
  let fx = ax - x0;
  let fy = ay - y0;
  if (fx > 1 - 1e-6) { x0++; fx = 0; }
  if (fy > 1 - 1e-6) { y0++; fy = 0; }
  if (fx < 1e-6) fx = 0;
  if (fy < 1e-6) fy = 0;
  // Source column i + x0 (and + 1 when fx > 0) must lie in [0, cols); likewise rows.
  const c: Covered = {
    i0: Math.max(0, -x0),
    i1: Math.min(cols, cols - x0 - (fx === 0 ? 0 : 1)),
    j0: Math.max(0, -y0),
    j1: Math.min(rows, rows - y0 - (fy === 0 ? 0 : 1)),
  };
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  let min = range.min;
  let max = range.max;
  for (let j = c.j0; j < c.j1; j++) {
    const o = outBase + j * cols;
    const r0 = base + (j + y0) * cols + x0;
    const r1 = fy === 0 ? r0 : r0 + cols;
    // One loop per case rather than a test per pixel (twice as fast); floor(f + 0.5) is Math.round,
    // faster here. A float output holds float32 (fround: the value the range must see).
    if (fx === 0 && fy === 0) {
      for (let i = c.i0; i < c.i1; i++) {
        const v = round ? src[r0 + i] : Math.fround(src[r0 + i]);
        out[o + i] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    } else if (fx === 0) {
      for (let i = c.i0; i < c.i1; i++) {
        const f = w00 * src[r0 + i] + w01 * src[r1 + i];
        const v = round ? Math.floor(f + 0.5) : Math.fround(f);
        out[o + i] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    } else {
      for (let i = c.i0; i < c.i1; i++) {
        const f = w00 * src[r0 + i] + w10 * src[r0 + i + 1] + w01 * src[r1 + i] + w11 * src[r1 + i + 1];
        const v = round ? Math.floor(f + 0.5) : Math.fround(f);
        out[o + i] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  range.min = min;
  range.max = max;
  return c;
}
