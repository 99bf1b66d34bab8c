import { promises as fs } from 'node:fs';
import type { DataSet } from 'dicom-parser';
import { checkLimit } from '../../../util/readLimits';
import type { LabelMap, Vec3, Volume } from '../../Volume';
import { affineFromGeometry, invert, lpsToRas, rasToLps, spacingFromAffine } from '../../geometry/affine';
import type { Grid } from '../../geometry/grid';
import { VolumeReadError } from '../errors';
import { readImageInfo } from '../dicom/dicomImageInfo';
import { parseDicomBytes } from '../dicom/parseDicomBytes';
import { allocStored, decodeFrame, storedArrayType, validateImageInfo } from '../dicom/pixel/decodeFrame';
import { dcmjs } from './dcmjsApi';
import { SEG_SOP_CLASS_UID } from './writeDicomSeg';

const LABELMAP_SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.7';

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

/**
 * Read a DICOM Segmentation (BINARY, FRACTIONAL or LABELMAP; any transfer syntax the image reader
 * decodes: native, deflated, Deflated Image Frame Compression, RLE Lossless, JPEG family)
 * as a LabelMap whose values are the segment numbers, on the reference grid (or the SEG's own grid).
 * Overlapping segments: the higher segment number wins, with a warning.
 */
export async function readDicomSeg(file: string, opts: ReadDicomSegOptions = {}): Promise<LabelMap> {
  try {
    const bytes = new Uint8Array(await fs.readFile(file));
    return await decodeDicomSeg(bytes, file, opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw VolumeReadError.wrap(file, e?.code === 'ENOENT' ? new Error('no such file') : err);
  }
}

export async function decodeDicomSeg(bytes: Uint8Array, source: string, opts: ReadDicomSegOptions = {}): Promise<LabelMap> {
  const parsed = parseDicomBytes(bytes);
  const ds = parsed.dataSet;
  const warnings: string[] = [];
  const sopClass = ds.string('x00080016');
  if (sopClass !== SEG_SOP_CLASS_UID && sopClass !== LABELMAP_SEG_SOP_CLASS_UID)
    throw new Error(`not a DICOM Segmentation (SOP class ${sopClass ?? 'missing'})`);
  // The same image description and frame decoder as any DICOM image: sizes checked against the
  // pixel data before anything is allocated, every transfer syntax the image reader knows.
  const info = readImageInfo(ds, parsed.transferSyntaxUID);
  validateImageInfo(info);
  const { rows, columns: cols, numberOfFrames: nFrames } = info;
  const segType = (ds.string('x00620001') ?? 'BINARY').toUpperCase();

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

  const frameSize = rows * cols;
  // Target grid.
  const grid = opts.reference ? { dims: [...opts.reference.dims] as Vec3, affine: Float64Array.from(opts.reference.affine) } : ownGrid(frames, cols, rows, rowSpacing, colSpacing);
  const [nx, ny, nz] = grid.dims;
  const toIndex = invert(rasToLps(grid.affine)); // LPS mm → voxel index
  let maxLabel = 1;
  for (const v of [...labels.map((l) => l.value), ...frames.map((f) => f.segment)]) if (v > maxLabel) maxLabel = v;
  checkLimit('maxVoxels', nx * ny * nz, `label map grid of ${nx}x${ny}x${nz}`);
  const out = maxLabel > 255 ? new Uint16Array(nx * ny * nz) : new Uint8Array(nx * ny * nz);
  const fractionalMax = segType === 'FRACTIONAL' ? (ds.uint16('x0062000e') ?? 255) : 0;
  const buf = allocStored(storedArrayType(info), frameSize);
  let overlaps = 0;
  let offGrid = 0;
  let maxSliceError = 0;
  for (let f = 0; f < nFrames; f++) {
    await decodeFrame(parsed, info, f, buf);
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
