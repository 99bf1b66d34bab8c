import type { VoxelArray } from '../../Volume';
import { dot, scale, sub, type StackPlan, type V3 } from './stackGeometry';

export interface ResampledStack {
  data: Float32Array;
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

/**
 * Resample a sheared (gantry-tilted) and/or irregularly spaced stack onto the orthogonal grid spanned
 * by the first slice's rows/columns and the slice normal, with uniform spacing `spacing`.
 * Each output voxel is the linear interpolation, along the normal, of the two nearest input slices, each
 * sampled bilinearly at the same patient position (input slices are parallel, so a slice's in-plane
 * offset is one constant shift). `src` holds the input slices in `plan.slices` order.
 */
export function resampleStack(src: VoxelArray, cols: number, rows: number, plan: StackPlan<unknown>, spacing: number, fill: number): ResampledStack {
  const { positions, normal, row, col, inplaneSpacing } = plan;
  const nIn = positions.length;
  const span = positions[nIn - 1] - positions[0];
  const nk = Math.max(1, Math.round(span / spacing) + 1);
  const sliceSize = cols * rows;
  const out = new Float32Array(sliceSize * nk);
  const origin = plan.slices[0].position;
  // Per input slice: in-plane offset of its origin from the first slice's normal line, in pixels.
  const shifts = plan.slices.map((s) => {
    const v = sub(s.position, origin);
    const inplane = sub(v, scale(normal, dot(v, normal)));
    return [dot(inplane, row) / inplaneSpacing[0], dot(inplane, col) / inplaneSpacing[1]] as [number, number];
  });
  let gapSlices = 0;
  let filled = 0;
  const tmp = new Float32Array(sliceSize);
  const valid = new Uint8Array(sliceSize);
  const valid2 = new Uint8Array(sliceSize);
  let s = 0;
  for (let k = 0; k < nk; k++) {
    const d = positions[0] + k * spacing;
    while (s < nIn - 2 && positions[s + 1] <= d + 1e-6) s++;
    const gap = positions[s + 1] - positions[s];
    let w = nIn === 1 ? 0 : (d - positions[s]) / (gap || 1);
    w = Math.min(1, Math.max(0, w));
    if (nIn > 1 && gap > 1.5 * spacing && w > 1e-6 && w < 1 - 1e-6) gapSlices++;
    const outSlice = out.subarray(k * sliceSize, (k + 1) * sliceSize);
    if (w < 1e-6 || nIn === 1) {
      sampleShifted(src, s * sliceSize, cols, rows, shifts[s], outSlice, valid);
    } else if (w > 1 - 1e-6) {
      sampleShifted(src, (s + 1) * sliceSize, cols, rows, shifts[s + 1], outSlice, valid);
    } else {
      sampleShifted(src, s * sliceSize, cols, rows, shifts[s], outSlice, valid);
      sampleShifted(src, (s + 1) * sliceSize, cols, rows, shifts[s + 1], tmp, valid2);
      for (let p = 0; p < sliceSize; p++) {
        outSlice[p] = outSlice[p] * (1 - w) + tmp[p] * w;
        valid[p] &= valid2[p];
      }
    }
    for (let p = 0; p < sliceSize; p++) {
      if (!valid[p]) {
        outSlice[p] = fill;
        filled++;
      }
    }
  }
  return { data: out, nk, origin, spacing, gapSlices, filledVoxels: filled };
}

/**
 * out[j, i] = src slice sampled at (i - shift_i, j - shift_j), bilinear; valid[p] = 0 where the sample
 * falls outside the slice. Integer shifts copy exactly.
 */
function sampleShifted(src: VoxelArray, base: number, cols: number, rows: number, shift: [number, number], out: Float32Array, valid: Uint8Array): void {
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
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  for (let j = 0; j < rows; j++) {
    const sy = j + y0;
    const rowOk = sy >= 0 && (fy === 0 ? sy < rows : sy + 1 < rows);
    const o = j * cols;
    if (!rowOk) {
      out.fill(0, o, o + cols);
      valid.fill(0, o, o + cols);
      continue;
    }
    const r0 = base + sy * cols;
    const r1 = fy === 0 ? r0 : r0 + cols;
    for (let i = 0; i < cols; i++) {
      const sx = i + x0;
      if (sx < 0 || (fx === 0 ? sx >= cols : sx + 1 >= cols)) {
        out[o + i] = 0;
        valid[o + i] = 0;
        continue;
      }
      const sx1 = fx === 0 ? sx : sx + 1;
      out[o + i] = w00 * src[r0 + sx] + w10 * src[r0 + sx1] + w01 * src[r1 + sx] + w11 * src[r1 + sx1];
      valid[o + i] = 1;
    }
  }
}
