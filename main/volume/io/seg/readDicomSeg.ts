import { promises as fs } from 'node:fs';
import * as dicomParserNs from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { inflateSync } from 'fflate';
import type { LabelMap, Vec3, Volume } from '../../Volume';
import { affineFromGeometry, invert, lpsToRas, rasToLps, spacingFromAffine } from '../../geometry/affine';
import type { Grid } from '../../geometry/grid';
import { VolumeReadError } from '../errors';
import { parseDicomBytes } from '../dicom/parseDicomBytes';
import { dcmjs } from './dcmjsApi';
import { SEG_SOP_CLASS_UID } from './writeDicomSeg';

const dicomParser: typeof dicomParserNs = (dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs;

const LABELMAP_SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.7';
const TS_DEFLATED_FRAMES = '1.2.840.10008.1.2.8.1';
const NATIVE_TS = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);

export interface ReadDicomSegOptions {
  /**
   * Grid to place the segments on (normally the source series Volume): every SEG pixel goes to the
   * nearest reference voxel by world position. Default: the SEG's own grid (from its frame positions).
   */
  reference?: Grid | Volume;
}

interface SegFrame {
  segment: number;
  position: Vec3;
  rowDir: Vec3;
  colDir: Vec3;
}

function seqItems(ds: DataSet, tag: string): DataSet[] {
  const el = ds.elements[tag];
  return el?.items?.map((i) => i.dataSet).filter((d): d is DataSet => !!d) ?? [];
}

function numbers(ds: DataSet | undefined, tag: string): number[] | undefined {
  if (!ds?.elements[tag]) return undefined;
  const s = ds.string(tag);
  if (s === undefined) return undefined;
  const v = s.split('\\').map(Number);
  return v.every(Number.isFinite) ? v : undefined;
}

function firstIn(groups: Array<DataSet | undefined>, seqTag: string, tag: string): number[] | undefined {
  for (const g of groups) {
    if (!g) continue;
    for (const item of seqItems(g, seqTag)) {
      const v = numbers(item, tag);
      if (v) return v;
    }
  }
  return undefined;
}

/** Unpack the i-th frame of contiguous 1-bit pixel data (first pixel = least significant bit). */
function unpackBits(bytes: Uint8Array, startBit: number, count: number, out: Uint8Array): void {
  for (let p = 0, b = startBit; p < count; p++, b++) out[p] = (bytes[b >> 3] >> (b & 7)) & 1;
}

/**
 * Read a DICOM Segmentation (BINARY, FRACTIONAL or LABELMAP; native, deflated or deflate-frame encoded)
 * as a LabelMap whose values are the segment numbers, on the reference grid (or the SEG's own grid).
 * Overlapping segments: the higher segment number wins, with a warning.
 */
export async function readDicomSeg(file: string, opts: ReadDicomSegOptions = {}): Promise<LabelMap> {
  try {
    const bytes = new Uint8Array(await fs.readFile(file));
    return decodeDicomSeg(bytes, file, opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw VolumeReadError.wrap(file, e?.code === 'ENOENT' ? new Error('no such file') : err);
  }
}

export function decodeDicomSeg(bytes: Uint8Array, source: string, opts: ReadDicomSegOptions = {}): LabelMap {
  const parsed = parseDicomBytes(bytes);
  const ds = parsed.dataSet;
  const warnings: string[] = [];
  const sopClass = ds.string('x00080016');
  if (sopClass !== SEG_SOP_CLASS_UID && sopClass !== LABELMAP_SEG_SOP_CLASS_UID)
    throw new Error(`not a DICOM Segmentation (SOP class ${sopClass ?? 'missing'})`);
  const rows = ds.uint16('x00280010') ?? 0;
  const cols = ds.uint16('x00280011') ?? 0;
  const nFrames = Number(ds.string('x00280008') ?? '1');
  const bitsAllocated = ds.uint16('x00280100') ?? 1;
  const segType = (ds.string('x00620001') ?? 'BINARY').toUpperCase();
  if (!(rows > 0 && cols > 0 && nFrames > 0)) throw new Error(`invalid SEG image size ${cols}x${rows}, ${nFrames} frame(s)`);

  const segItems = seqItems(ds, 'x00620002');
  const labels: LabelMap['labels'] = segItems.map((it) => {
    const value = it.uint16('x00620004') ?? 0;
    // RecommendedDisplayCIELabValue is US (binary), three values.
    const lab = it.elements.x0062000d?.length === 6 ? [0, 1, 2].map((i) => it.uint16('x0062000d', i) ?? 0) : undefined;
    const color = lab && lab.length === 3 ? (dcmjs.data.Colors.dicomlab2RGB8(lab) as [number, number, number]) : undefined;
    return { value, name: it.string('x00620005') ?? `Segment ${value}`, ...(color ? { color } : {}) };
  });

  // Geometry per frame: per-frame groups override shared ones.
  const shared = seqItems(ds, 'x52009229')[0];
  const perFrame = seqItems(ds, 'x52009230');
  if (perFrame.length !== nFrames) throw new Error(`SEG has ${nFrames} frames but ${perFrame.length} per-frame functional groups`);
  const spacing = firstIn([shared, perFrame[0]], 'x00289110', 'x00280030');
  if (!spacing || spacing.length < 2) throw new Error('SEG has no PixelSpacing in its Pixel Measures functional group');
  const [rowSpacing, colSpacing] = spacing;
  const frames: SegFrame[] = perFrame.map((fg, f) => {
    if (seqItems(fg, 'x0048021a').length)
      throw new Error('slide-microscopy segmentation (slide coordinates, no patient positions) is not supported');
    const iop = firstIn([fg, shared], 'x00209116', 'x00200037');
    const ipp = firstIn([fg], 'x00209113', 'x00200032');
    if (!iop || iop.length !== 6) throw new Error(`SEG frame ${f + 1} has no ImageOrientationPatient`);
    if (!ipp || ipp.length !== 3) throw new Error(`SEG frame ${f + 1} has no ImagePositionPatient`);
    const segNum = seqItems(fg, 'x0062000a')[0]?.uint16('x0062000b');
    if (segType !== 'LABELMAP' && segNum === undefined) throw new Error(`SEG frame ${f + 1} has no ReferencedSegmentNumber`);
    return { segment: segNum ?? 0, position: ipp as Vec3, rowDir: iop.slice(0, 3) as Vec3, colDir: iop.slice(3, 6) as Vec3 };
  });

  // Pixel frames as one value per pixel.
  const pixelEl = ds.elements.x7fe00010;
  if (!pixelEl) throw new Error('SEG has no Pixel Data');
  const frameSize = rows * cols;
  const ts = parsed.transferSyntaxUID;
  const encapsulated = !!pixelEl.encapsulatedPixelData;
  const frameValues = (f: number, out: Uint8Array | Uint16Array): void => {
    if (!encapsulated) {
      const data = parsed.bytes.subarray(pixelEl.dataOffset, pixelEl.dataOffset + pixelEl.length);
      if (bitsAllocated === 1) {
        if (data.length * 8 < nFrames * frameSize) throw new Error(`SEG pixel data too short (${data.length} bytes for ${nFrames} frames)`);
        unpackBits(data, f * frameSize, frameSize, out as Uint8Array);
      } else readWords(data, f * frameSize, frameSize, bitsAllocated, out);
      return;
    }
    if (ts !== TS_DEFLATED_FRAMES) throw new Error(`SEG pixel data in transfer syntax ${ts} is not supported`);
    const frame = readFrame(ds, pixelEl, f, nFrames);
    const raw = inflateSync(frame);
    if (bitsAllocated === 1) unpackBits(raw, 0, frameSize, out as Uint8Array);
    else readWords(raw, 0, frameSize, bitsAllocated, out);
  };
  if (!encapsulated && !NATIVE_TS.has(ts)) throw new Error(`SEG transfer syntax ${ts} is not supported`);

  // Target grid.
  const grid = opts.reference ? { dims: [...opts.reference.dims] as Vec3, affine: Float64Array.from(opts.reference.affine) } : ownGrid(frames, cols, rows, rowSpacing, colSpacing);
  const [nx, ny, nz] = grid.dims;
  const toIndex = invert(rasToLps(grid.affine)); // LPS mm → voxel index
  const maxLabel = Math.max(1, ...labels.map((l) => l.value), ...frames.map((f) => f.segment));
  const out = maxLabel > 255 ? new Uint16Array(nx * ny * nz) : new Uint8Array(nx * ny * nz);
  const fractionalMax = segType === 'FRACTIONAL' ? (ds.uint16('x0062000e') ?? 255) : 0;
  const buf = bitsAllocated > 8 ? new Uint16Array(frameSize) : new Uint8Array(frameSize);
  let overlaps = 0;
  let offGrid = 0;
  let maxSliceError = 0;
  for (let f = 0; f < nFrames; f++) {
    frameValues(f, buf);
    const fr = frames[f];
    const [px, py, pz] = fr.position;
    const dxw = fr.rowDir.map((c) => c * colSpacing); // world step per column (along a row)
    const dyw = fr.colDir.map((c) => c * rowSpacing); // world step per row
    const m = toIndex;
    const i0 = [0, 1, 2].map((r) => m[r * 4] * px + m[r * 4 + 1] * py + m[r * 4 + 2] * pz + m[r * 4 + 3]);
    const di = [0, 1, 2].map((r) => m[r * 4] * dxw[0] + m[r * 4 + 1] * dxw[1] + m[r * 4 + 2] * dxw[2]);
    const dj = [0, 1, 2].map((r) => m[r * 4] * dyw[0] + m[r * 4 + 1] * dyw[1] + m[r * 4 + 2] * dyw[2]);
    maxSliceError = Math.max(maxSliceError, Math.abs(i0[2] - Math.round(i0[2])));
    for (let y = 0, p = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++, p++) {
        let v = buf[p];
        if (v === 0) continue;
        if (segType === 'FRACTIONAL') {
          if (v / fractionalMax < 0.5) continue;
          v = fr.segment;
        } else if (segType !== 'LABELMAP') v = fr.segment;
        const a = Math.round(i0[0] + di[0] * x + dj[0] * y);
        const b = Math.round(i0[1] + di[1] * x + dj[1] * y);
        const c = Math.round(i0[2] + di[2] * x + dj[2] * y);
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) {
          offGrid++;
          continue;
        }
        const q = a + nx * (b + ny * c);
        if (out[q] !== 0 && out[q] !== v) {
          overlaps++;
          if (v < out[q]) continue;
        }
        out[q] = v;
      }
    }
  }
  if (overlaps) warnings.push(`${overlaps} voxel(s) belong to more than one segment; the higher segment number was kept`);
  if (offGrid) warnings.push(`${offGrid} segmented pixel(s) fall outside the reference grid and were dropped`);
  if (maxSliceError > 0.1) warnings.push(`SEG frames lie up to ${maxSliceError.toFixed(2)} voxels off the reference slices; nearest slice used`);
  if (segType === 'FRACTIONAL') warnings.push('FRACTIONAL segmentation thresholded at 0.5');
  const affine = Float64Array.from(grid.affine);
  return {
    data: out,
    dims: grid.dims,
    spacing: spacingFromAffine(affine),
    affine,
    labels: labels.filter((l) => l.value !== 0),
    meta: {
      source,
      datatype: out instanceof Uint8Array ? 'uint8' : 'uint16',
      modality: 'SEG',
      warnings,
      dicom: {
        studyInstanceUID: ds.string('x0020000d'),
        seriesInstanceUID: ds.string('x0020000e'),
        frameOfReferenceUID: ds.string('x00200052'),
        sopClassUID: sopClass,
      },
    },
  };
}

function readWords(data: Uint8Array, start: number, count: number, bits: number, out: Uint8Array | Uint16Array): void {
  if (bits === 8) {
    for (let p = 0; p < count; p++) out[p] = data[start + p];
    return;
  }
  if (bits !== 16) throw new Error(`SEG BitsAllocated ${bits} is not supported`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let p = 0; p < count; p++) out[p] = dv.getUint16((start + p) * 2, true);
}

function readFrame(ds: DataSet, el: Element, f: number, nFrames: number): Uint8Array {
  const fragments = el.fragments ?? [];
  if (fragments.length === nFrames) {
    const fr = fragments[f];
    return ds.byteArray.subarray(fr.position, fr.position + fr.length);
  }
  const bot = el.basicOffsetTable?.length ? el.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(ds, el);
  return dicomParser.readEncapsulatedImageFrame(ds, el, f, bot) as Uint8Array;
}

/** The SEG's own grid: its in-plane axes, frames sorted along the normal. */
function ownGrid(frames: SegFrame[], cols: number, rows: number, rowSpacing: number, colSpacing: number): Grid {
  const r = frames[0].rowDir;
  const c = frames[0].colDir;
  const n: Vec3 = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
  const proj = (p: Vec3): number => p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
  const positions = [...new Set(frames.map((f) => +proj(f.position).toFixed(4)))].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < positions.length; i++) step = Math.min(step, positions[i] - positions[i - 1]);
  if (!Number.isFinite(step) || step <= 0) step = 1;
  const nz = Math.round((positions[positions.length - 1] - positions[0]) / step) + 1;
  const first = frames.find((f) => Math.abs(proj(f.position) - positions[0]) < 1e-3)!.position;
  const lps = affineFromGeometry([colSpacing, rowSpacing, step], first, [r[0], c[0], n[0], r[1], c[1], n[1], r[2], c[2], n[2]]);
  return { dims: [cols, rows, nz], affine: lpsToRas(lps) };
}
