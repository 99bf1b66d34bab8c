import type { VoxelArray } from '../../Volume';
import { noteValueRange, type ValueRange } from '../../valueRange';
import type { DicomImageInfo } from './dicomImageInfo';
import type { DataSet } from './parseDicomBytes';
import type { StoredArray } from './pixel/decodeFrame';

export interface Rescale {
  slope: number;
  intercept: number;
}

const RANGES: Array<[string, number, number, (n: number) => VoxelArray]> = [
  ['uint8', 0, 255, (n) => new Uint8Array(n)],
  ['int8', -128, 127, (n) => new Int8Array(n)],
  ['int16', -32768, 32767, (n) => new Int16Array(n)],
  ['uint16', 0, 65535, (n) => new Uint16Array(n)],
  ['int32', -2147483648, 2147483647, (n) => new Int32Array(n)],
];

function arrayKind(a: VoxelArray): string {
  return a.constructor.name.replace('Array', '').toLowerCase();
}

/**
 * Apply Modality rescale (per slice) to stored values, returning physical values (HU for CT).
 * Integer results stay integer: in place when they fit the stored type, else in the smallest integer
 * type that holds them (their min/max, known from the per-slice ranges, is noted: noteValueRange);
 * non-integral scaling gives Float32. `bounds`, when known (BitsStored), is what stored values can be
 * at most: if every rescaled bound fits the stored type, one pass rescales in place (no range scan first).
 */
export function applyRescale(stored: StoredArray, sliceSize: number, perSlice: Rescale[], bounds?: ValueRange): VoxelArray {
  const identity = perSlice.every((r) => r.slope === 1 && r.intercept === 0);
  if (identity) return stored;
  const integral = perSlice.every((r) => Number.isInteger(r.slope) && Number.isInteger(r.intercept));
  if (integral && !(stored instanceof Float32Array) && !(stored instanceof Float64Array)) {
    const own = RANGES.find((r) => r[0] === arrayKind(stored));
    const fitsOwn = (v: number): boolean => !!own && v >= own[1] && v <= own[2];
    if (bounds && perSlice.every((r) => fitsOwn(bounds.min * r.slope + r.intercept) && fitsOwn(bounds.max * r.slope + r.intercept))) {
      return rescaleInPlace(stored, sliceSize, perSlice);
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < perSlice.length; s++) {
      let mn = Infinity;
      let mx = -Infinity;
      const end = (s + 1) * sliceSize;
      for (let p = s * sliceSize; p < end; p++) {
        const v = stored[p];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      const { slope, intercept } = perSlice[s];
      const a = mn * slope + intercept;
      const b = mx * slope + intercept;
      lo = Math.min(lo, a, b);
      hi = Math.max(hi, a, b);
    }
    let target: VoxelArray | undefined;
    if (fitsOwn(lo) && fitsOwn(hi)) target = stored;
    else {
      const fit = RANGES.find((r) => lo >= r[1] && hi <= r[2]);
      if (fit) target = fit[3](stored.length);
    }
    if (target) {
      for (let s = 0; s < perSlice.length; s++) {
        const { slope, intercept } = perSlice[s];
        const end = (s + 1) * sliceSize;
        if (slope === 1) for (let p = s * sliceSize; p < end; p++) target[p] = stored[p] + intercept;
        else for (let p = s * sliceSize; p < end; p++) target[p] = stored[p] * slope + intercept;
      }
      // Exact (integers): the scan's header range then costs no second pass over the voxels.
      noteValueRange(target, { min: lo, max: hi });
      return target;
    }
  }
  const out = stored instanceof Float64Array ? stored : new Float32Array(stored.length);
  for (let s = 0; s < perSlice.length; s++) {
    const { slope, intercept } = perSlice[s];
    const end = (s + 1) * sliceSize;
    for (let p = s * sliceSize; p < end; p++) out[p] = stored[p] * slope + intercept;
  }
  return out;
}

/** value * slope + intercept in place, per slice, taking the exact range as it goes (noted). */
function rescaleInPlace(a: StoredArray, sliceSize: number, perSlice: Rescale[]): VoxelArray {
  let lo = Infinity;
  let hi = -Infinity;
  for (let s = 0; s < perSlice.length; s++) {
    const { slope, intercept } = perSlice[s];
    for (let p = s * sliceSize, end = (s + 1) * sliceSize; p < end; p++) {
      const v = a[p] * slope + intercept;
      a[p] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  noteValueRange(a, { min: lo, max: hi });
  return a;
}

/** Modality LUT Sequence: stored value → output value through the table (clamped at both ends). */
export function applyModalityLut(stored: StoredArray, lut: NonNullable<DicomImageInfo['modalityLut']>): VoxelArray {
  const out = lut.bits > 8 ? new Uint16Array(stored.length) : new Uint8Array(stored.length);
  const last = lut.data.length - 1;
  for (let p = 0; p < stored.length; p++) {
    let idx = stored[p] - lut.firstMapped;
    idx = idx < 0 ? 0 : idx > last ? last : idx;
    out[p] = lut.data[idx];
  }
  return out;
}

/** Rec. 601 luma weights, the usual grey conversion for RGB medical images (and YBR_FULL's Y). */
const WR = 0.299, WG = 0.587, WB = 0.114;

export interface PaletteLuts {
  r: Uint16Array;
  g: Uint16Array;
  b: Uint16Array;
  firstMapped: number;
}

/**
 * Convert one decoded colour frame (samples interleaved) to luminance. RGB: weighted sum; YBR_*:
 * the stored Y; PALETTE COLOR: the LUT colours' luminance.
 */
export function colourToLuminance(frame: StoredArray, info: DicomImageInfo, out: Float32Array, palette?: PaletteLuts): void {
  const n = info.rows * info.columns;
  const ph = info.photometric;
  if (ph === 'PALETTE COLOR') {
    if (!palette) throw new Error('PALETTE COLOR image without palette lookup tables');
    const last = palette.r.length - 1;
    for (let p = 0; p < n; p++) {
      let i = frame[p] - palette.firstMapped;
      i = i < 0 ? 0 : i > last ? last : i;
      out[p] = WR * palette.r[i] + WG * palette.g[i] + WB * palette.b[i];
    }
    return;
  }
  if (info.samplesPerPixel !== 3) throw new Error(`colour image with ${info.samplesPerPixel} samples per pixel`);
  if (ph.startsWith('YBR_FULL')) {
    for (let p = 0; p < n; p++) out[p] = frame[p * 3];
    return;
  }
  if (ph.startsWith('YBR_PARTIAL')) {
    // Studio-range luma (16–235) stretched to the full 8-bit range.
    for (let p = 0; p < n; p++) out[p] = ((frame[p * 3] - 16) * 255) / 219;
    return;
  }
  if (ph === 'RGB' || ph === 'YBR_RCT' || ph === 'YBR_ICT') {
    // J2K decoders undo RCT/ICT, so these arrive as RGB.
    for (let p = 0; p < n; p++) out[p] = WR * frame[p * 3] + WG * frame[p * 3 + 1] + WB * frame[p * 3 + 2];
    return;
  }
  throw new Error(`Photometric Interpretation ${ph} is not supported`);
}

/** Read the palette colour LUTs, plain or segmented (PS3.3 C.7.9.2). */
export function readPalette(ds: DataSet, info: DicomImageInfo): PaletteLuts {
  const chan = (descTag: string, dataTag: string, segTag: string): { lut: Uint16Array; first: number } => {
    const desc = ds.elements[descTag];
    const data = ds.elements[dataTag];
    const seg = ds.elements[segTag];
    if (!desc || (!data && !seg)) throw new Error('PALETTE COLOR image without palette lookup tables');
    const entries = ds.uint16(descTag, 0) || 65536;
    const first = info.pixelRepresentation ? ds.int16(descTag, 1) ?? 0 : ds.uint16(descTag, 1) ?? 0;
    const bits = ds.uint16(descTag, 2) ?? 16;
    const lut = new Uint16Array(entries);
    if (!data && seg) {
      const words = new Uint16Array(seg.length >> 1);
      for (let i = 0; i < words.length; i++) words[i] = ds.uint16(segTag, i) ?? 0;
      expandSegmentedLut(words, lut);
    } else if (bits === 8 && data!.length === entries) {
      for (let i = 0; i < entries; i++) lut[i] = (ds.byteArray as Uint8Array)[data!.dataOffset + i];
    } else {
      for (let i = 0; i < entries; i++) lut[i] = ds.uint16(dataTag, i) ?? 0;
      if (bits === 8) for (let i = 0; i < entries; i++) lut[i] &= 0xff;
    }
    return { lut, first };
  };
  const r = chan('x00281101', 'x00281201', 'x00281221');
  const g = chan('x00281102', 'x00281202', 'x00281222');
  const b = chan('x00281103', 'x00281203', 'x00281223');
  return { r: r.lut, g: g.lut, b: b.lut, firstMapped: r.first };
}

/**
 * Expand a segmented palette LUT: discrete segments (0, n, v1..vn), linear segments (1, n, y) that ramp
 * from the previous value to y, and indirect segments (2, count, offset lo, offset hi) that replay
 * `count` earlier segments starting at a word offset.
 */
export function expandSegmentedLut(words: Uint16Array, out: Uint16Array): void {
  let o = 0;
  let last = 0;
  const run = (start: number, end: number, maxSegments: number, depth: number): void => {
    let p = start;
    let done = 0;
    while (p + 1 < end && done < maxSegments && o < out.length) {
      const type = words[p];
      const n = words[p + 1];
      if (type === 0) {
        for (let i = 0; i < n && o < out.length; i++) out[o++] = last = words[p + 2 + i];
        p += 2 + n;
      } else if (type === 1) {
        const y1 = words[p + 2];
        const y0 = last;
        for (let i = 1; i <= n && o < out.length; i++) out[o++] = Math.round(y0 + ((y1 - y0) * i) / n);
        last = y1;
        p += 3;
      } else if (type === 2) {
        if (depth > 0) throw new Error('nested indirect segment in a segmented palette');
        const offset = words[p + 2] | (words[p + 3] << 16);
        run(offset, words.length, n, depth + 1);
        p += 4;
      } else {
        throw new Error(`segmented palette has an unknown segment type ${type}`);
      }
      done++;
    }
  };
  run(0, words.length, Infinity, 0);
  if (o < out.length) out.fill(last, o);
}
