import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkLimit } from '../../../util/readLimits';
import type { Mat4, Vec3, Volume, VoxelArray } from '../../Volume';
import { VolumeReadError } from '../errors';
import { valueRange } from '../../valueRange';
import { readImageInfo } from './dicomImageInfo';
import { parseDicomBytes, type ParsedDicom } from './parseDicomBytes';
import { allocStored, decodeFrame, fitsBitsStored, samplesPerFrame, storedArrayType, transferSyntaxName, validateImageInfo, type StoredArray } from './pixel/decodeFrame';
import { applyModalityLut, applyRescale, colourToLuminance, readPalette, type PaletteLuts, type Rescale } from './pixelValues';
import { dsList } from './dicomImageInfo';
import { resampleStack } from './resampleStack';
import { detectMosaic, extractTile, type MosaicInfo } from './siemensMosaic';
import { scanDicomFolder } from './scanDicomFolder';
import { hasGeometry, sliceRefsOf, toStackSlices, type SliceRef } from './sliceRefs';
import { cross3, isOrthogonalStack, lpsAffine, lpsToRasAffine, planStack, type StackPlan, type V3 } from './stackGeometry';

const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
/** Largest slice gap (× the median spacing) that is still bridged by interpolation; beyond it we refuse. */
const MAX_GAP_FACTOR = 4;

export interface LoadDicomOptions {
  /** Series to load from a folder (default: the one with the most images; the others are listed in warnings). */
  seriesInstanceUID?: string;
  /**
   * 0-based choice when the images are not one spatial stack: the volume index when several volumes
   * share the same slice positions (time points, echoes, image types), or the frame of a multi-frame
   * object without spatial positions (cine). Default 0.
   */
  frame?: number;
  /**
   * Gantry-tilted / sheared stacks: 'resample' (default) onto an orthogonal grid, or 'keep' the exact
   * sheared affine (only when the slice spacing is uniform; the Volume affine is then not orthogonal).
   */
  shear?: 'resample' | 'keep';
}

/**
 * Load a DICOM file (single- or multi-frame) or a folder of DICOM files (recursively) as one Volume:
 * values rescaled to physical units (HU for CT), affine in RAS+ (nibabel convention), i along a row,
 * j down the columns, k along the sorted slice normal. Anything corrected or assumed is in meta.warnings;
 * anything that cannot give a correct volume throws VolumeReadError naming the file or folder.
 */
export async function loadDicom(fileOrFolder: string, opts: LoadDicomOptions = {}): Promise<Volume> {
  let isDir: boolean;
  try {
    isDir = (await stat(fileOrFolder)).isDirectory();
  } catch (e) {
    throw new VolumeReadError(fileOrFolder, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message);
  }
  try {
    return isDir ? await loadFolder(fileOrFolder, opts) : await loadFile(fileOrFolder, opts);
  } catch (e) {
    throw VolumeReadError.wrap(fileOrFolder, e);
  }
}

async function loadFolder(folder: string, opts: LoadDicomOptions): Promise<Volume> {
  const scan = await scanDicomFolder(folder);
  if (scan.series.length === 0) {
    const why = scan.skipped.length ? ` (${scan.skipped.length} file(s) skipped, e.g. ${path.basename(scan.skipped[0].file)}: ${scan.skipped[0].reason})` : '';
    throw new VolumeReadError(folder, `no DICOM image series found${why}`);
  }
  const warnings: string[] = [];
  let chosen = scan.series[0];
  if (opts.seriesInstanceUID !== undefined) {
    const match = scan.series.filter((s) => s.seriesInstanceUID === opts.seriesInstanceUID || s.key === opts.seriesInstanceUID);
    if (match.length === 0) {
      throw new VolumeReadError(folder, `no series with SeriesInstanceUID ${opts.seriesInstanceUID}; found: ${scan.series.map((s) => s.description).join('; ')}`);
    }
    chosen = match[0];
  }
  const others = scan.series.filter((s) => s !== chosen);
  if (others.length) warnings.push(`folder holds ${scan.series.length} image series; loaded ${chosen.description}; others: ${others.map((s) => s.description).join('; ')}`);
  if (scan.skipped.length) warnings.push(`${scan.skipped.length} file(s) skipped (not DICOM images), e.g. ${path.basename(scan.skipped[0].file)}: ${scan.skipped[0].reason}`);
  return buildVolume(folder, sliceRefsOf(chosen.entries), opts, warnings, new Map());
}

async function loadFile(file: string, opts: LoadDicomOptions): Promise<Volume> {
  const parsed = parseDicomBytes(readFileSync(file));
  const info = readImageInfo(parsed.dataSet, parsed.transferSyntaxUID);
  validateImageInfo(info);
  if (info.modality === 'SEG' || info.sopClassUID === SEG_SOP_CLASS) {
    throw new Error('is a DICOM Segmentation (SEG), not an image: open it as a label map over its source series (readDicomSeg)');
  }
  const notes = parsed.dataSet.warnings.filter((w) => /CP-246/.test(w));
  const refs = sliceRefsOf([{ file, info }]);
  const mosaic = info.numberOfFrames === 1 && hasGeometry(refs[0]) ? detectMosaic(parsed.dataSet, info.rows, info.columns, info.imageType) : undefined;
  if (mosaic) return buildMosaicVolume(file, parsed, refs[0], mosaic, notes);
  return buildVolume(file, sliceRefsOf([{ file, info }]), opts, notes, new Map([[file, parsed]]));
}

async function buildVolume(source: string, refs: SliceRef[], opts: LoadDicomOptions, warnings: string[], cache: Map<string, ParsedDicom>): Promise<Volume> {
  const first = refs[0].info;
  for (const r of refs) {
    const i = r.info;
    if (i.rows !== first.rows || i.columns !== first.columns || i.samplesPerPixel !== first.samplesPerPixel || storedArrayType(i) !== storedArrayType(first)) {
      throw new Error(`images differ in size or pixel format (${path.basename(refs[0].file)}: ${first.columns}×${first.rows} ${storedArrayType(first)}, ${path.basename(r.file)}: ${i.columns}×${i.rows} ${storedArrayType(i)})`);
    }
  }
  const cols = first.columns;
  const rows = first.rows;
  let plan: StackPlan<SliceRef> | undefined;
  let ordered: SliceRef[];
  const withGeo = refs.filter(hasGeometry);
  if (withGeo.length > 0 && withGeo.length < refs.length) {
    warnings.push(`${refs.length - withGeo.length} of ${refs.length} images have no ImagePositionPatient/ImageOrientationPatient/PixelSpacing and were left out`);
    refs = withGeo;
  }
  const allGeo = withGeo.length === refs.length;
  if (allGeo) {
    plan = planStack(toStackSlices(refs), opts.frame ?? 0);
    warnings.push(...plan.warnings);
    ordered = plan.slices.map((s) => s.ref);
  } else if (refs.length > 1) {
    if (opts.frame !== undefined) {
      if (opts.frame < 0 || opts.frame >= refs.length) throw new Error(`frame ${opts.frame} requested but there are ${refs.length}`);
      ordered = [refs[opts.frame]];
      warnings.push(`images have no spatial position (ImagePositionPatient/ImageOrientationPatient): loaded frame ${opts.frame + 1} of ${refs.length}`);
    } else {
      ordered = refs;
      warnings.push(`images have no spatial position (ImagePositionPatient/ImageOrientationPatient): ${refs.length} frames stacked in file order along k with 1 mm spacing; this is not a spatial volume`);
    }
  } else {
    ordered = refs;
  }

  // Decode straight into one array holding every slice (stored values), or luminance for colour.
  const sliceSize = cols * rows;
  const colour = first.samplesPerPixel === 3 || first.photometric === 'PALETTE COLOR';
  const nk = ordered.length;
  checkLimit('maxVoxels', sliceSize * nk, `${nk} slice(s) of ${cols}×${rows}`);
  let stored: StoredArray;
  if (colour) {
    stored = new Float32Array(sliceSize * nk);
    const tmp = allocStored(storedArrayType(first), samplesPerFrame(first));
    let palette: PaletteLuts | undefined;
    for (let k = 0; k < nk; k++) {
      const r = ordered[k];
      const parsed = await parsedFor(r.file, cache);
      if (first.photometric === 'PALETTE COLOR' && !palette) palette = readPalette(parsed.dataSet, r.info);
      await decodeInto(r, parsed, tmp);
      colourToLuminance(tmp, r.info, (stored as Float32Array).subarray(k * sliceSize, (k + 1) * sliceSize), palette);
    }
    warnings.push(
      first.photometric === 'PALETTE COLOR'
        ? 'PALETTE COLOR image converted to luminance (Rec. 601 weights of the palette colours)'
        : `${first.photometric} colour image converted to a luminance volume (${first.photometric.startsWith('YBR_FULL') ? 'the Y channel' : first.photometric.startsWith('YBR_PARTIAL') ? 'the Y channel, studio range stretched to 0–255' : 'Rec. 601 weights 0.299 R + 0.587 G + 0.114 B'})`,
    );
  } else {
    stored = allocStored(holdingType(ordered), sliceSize * nk);
    for (let k = 0; k < nk; k++) {
      const r = ordered[k];
      const parsed = await parsedFor(r.file, cache);
      await decodeInto(r, parsed, stored.subarray(k * sliceSize, (k + 1) * sliceSize) as StoredArray);
    }
  }
  cache.clear();

  // Stored → physical values.
  let data: VoxelArray;
  if (!colour && first.modalityLut) {
    data = applyModalityLut(stored, first.modalityLut);
    warnings.push('Modality LUT Sequence applied to the stored values');
  } else if (!colour) {
    const rescales: Rescale[] = ordered.map((r) => ({ slope: r.frameInfo.rescaleSlope, intercept: r.frameInfo.rescaleIntercept }));
    data = applyRescale(stored, sliceSize, rescales, storedBounds(ordered));
  } else data = stored;
  if (/MOSAIC/.test(first.imageType ?? '')) {
    warnings.push('Siemens mosaic image: the tiles are not unpacked into slices (loaded as one 2D image)');
  }
  if (first.photometric === 'MONOCHROME1') warnings.push('MONOCHROME1: higher values are displayed darker; values kept as stored (invert the window to display)');

  // Geometry.
  let affineLps: Float64Array;
  let dims: Vec3 = [cols, rows, nk];
  if (plan && nk > 1) {
    const orthogonal = isOrthogonalStack(plan, plan.inplaneSpacing);
    const origin = plan.slices[0].position;
    const tiltTag = first.gantryTilt ? ` (GantryDetectorTilt ${first.gantryTilt}°)` : '';
    if (orthogonal && plan.uniform) {
      affineLps = lpsAffine(origin, plan.row, plan.col, plan.inplaneSpacing, scaleV(plan.normal, plan.spacing));
    } else if (!orthogonal && plan.uniform && opts.shear === 'keep') {
      const last = plan.slices[nk - 1].position;
      const step: V3 = [(last[0] - origin[0]) / (nk - 1), (last[1] - origin[1]) / (nk - 1), (last[2] - origin[2]) / (nk - 1)];
      affineLps = lpsAffine(origin, plan.row, plan.col, plan.inplaneSpacing, step);
      warnings.push(`sheared stack (gantry tilt ${plan.shearAngleDeg.toFixed(2)}°${tiltTag}): kept the exact sheared affine (not orthogonal)`);
    } else {
      const maxGap = plan.spacings.reduce((a, b) => Math.max(a, b), -Infinity);
      if (maxGap > MAX_GAP_FACTOR * plan.spacing) {
        throw new Error(
          `slice gap of ${maxGap.toFixed(2)} mm is ${(maxGap / plan.spacing).toFixed(1)}× the median spacing ${plan.spacing.toFixed(3)} mm: the slices are not one contiguous stack (missing files?)`,
        );
      }
      const fill = valueRange(data).min;
      const res = resampleStack(data, cols, rows, plan, plan.spacing, fill);
      data = res.data;
      dims = [cols, rows, res.nk];
      affineLps = lpsAffine(origin, plan.row, plan.col, plan.inplaneSpacing, scaleV(plan.normal, plan.spacing));
      if (!orthogonal) {
        warnings.push(
          `sheared stack (gantry tilt ${plan.shearAngleDeg.toFixed(2)}°${tiltTag}): resampled onto an orthogonal grid (bilinear in-plane); ${res.filledVoxels} voxels outside the tilted stack set to ${fill}`,
        );
      }
      if (!plan.uniform) {
        const mn = plan.spacings.reduce((a, b) => Math.min(a, b), Infinity), mx = plan.spacings.reduce((a, b) => Math.max(a, b), -Infinity);
        warnings.push(
          `non-uniform slice spacing (${mn.toFixed(3)}–${mx.toFixed(3)} mm): resampled ${nk} slices to ${res.nk} at ${plan.spacing.toFixed(4)} mm (linear along the normal)` +
            (res.gapSlices ? `; ${res.gapSlices} slice(s) interpolated across gaps (missing slices?)` : ''),
        );
      }
    }
  } else if (plan) {
    const fi = ordered[0].frameInfo;
    const th = fi.sliceThickness && fi.sliceThickness > 0 ? fi.sliceThickness : 1;
    if (!(fi.sliceThickness && fi.sliceThickness > 0)) warnings.push('single slice without SliceThickness: k spacing set to 1 mm');
    affineLps = lpsAffine(plan.slices[0].position, plan.row, plan.col, plan.inplaneSpacing, scaleV(plan.normal, th));
  } else {
    const fi = ordered[0].frameInfo;
    const ps = fi.pixelSpacing;
    if (!ps) warnings.push('no PixelSpacing: 1 mm pixels assumed');
    const sp: [number, number] = ps ? [ps[1], ps[0]] : [1, 1];
    const o = fi.orientation;
    const row: V3 = o ? [o[0], o[1], o[2]] : [1, 0, 0];
    const col: V3 = o ? [o[3], o[4], o[5]] : [0, 1, 0];
    if (!o || !fi.position) warnings.push('no ImagePositionPatient/ImageOrientationPatient: identity orientation assumed (LPS axes), origin 0');
    const th = fi.sliceThickness && fi.sliceThickness > 0 ? fi.sliceThickness : 1;
    affineLps = lpsAffine(fi.position ?? [0, 0, 0], row, col, sp, scaleV(cross3(row, col), th));
  }
  const affine = lpsToRasAffine(affineLps) as Mat4;
  const spacing: Vec3 = [0, 1, 2].map((c) => Math.hypot(affine[c], affine[4 + c], affine[8 + c])) as Vec3;
  if (first.transferSyntaxUID && /4\.(50|51|81|91|203)$/.test(first.transferSyntaxUID)) {
    warnings.push(`pixel data is lossy-compressed (${transferSyntaxName(first.transferSyntaxUID)})`);
  }
  return {
    data,
    dims,
    spacing,
    affine,
    meta: {
      source: source,
      datatype: colour ? (first.samplesPerPixel === 3 ? 'rgb' : 'palette') : storedArrayType(first),
      modality: first.modality,
      warnings,
      dicom: {
        studyInstanceUID: first.studyInstanceUID,
        seriesInstanceUID: first.seriesInstanceUID,
        frameOfReferenceUID: first.frameOfReferenceUID,
        sopInstanceUIDs: dims[2] === ordered.length ? ordered.map((r) => r.info.sopInstanceUID ?? '') : undefined,
        sopClassUID: first.sopClassUID,
        patient: first.patient,
      },
    },
  };
}

/** A Siemens mosaic file as the 3D volume it holds (tiles → slices, k ascending along cross(row, column)). */
async function buildMosaicVolume(file: string, parsed: ParsedDicom, ref: SliceRef, m: MosaicInfo, warnings: string[]): Promise<Volume> {
  const info = ref.info;
  const fi = ref.frameInfo;
  const frame = await decodeFrame(parsed, info, 0);
  const tileSize = m.tileRows * m.tileColumns;
  const stored = allocStored(storedArrayType(info), tileSize * m.images);
  const o = fi.orientation!;
  const row: V3 = [o[0], o[1], o[2]];
  const col: V3 = [o[3], o[4], o[5]];
  const normal = cross3(row, col);
  const [psr, psc] = fi.pixelSpacing!;
  const between = dsList(parsed.dataSet, 'x00180088', 'SpacingBetweenSlices')?.[0];
  const spacing = between && between > 0 ? between : fi.sliceThickness && fi.sliceThickness > 0 ? fi.sliceThickness : 1;
  if (!(between && between > 0)) warnings.push(`Siemens mosaic without SpacingBetweenSlices: slice spacing ${spacing} mm from ${fi.sliceThickness ? 'SliceThickness' : 'a default'}`);
  const csaN = m.sliceNormal ?? normal;
  if (!m.sliceNormal) warnings.push('Siemens mosaic without a CSA SliceNormalVector: slice order assumed along cross(row, column)');
  const ascending = csaN[0] * normal[0] + csaN[1] * normal[1] + csaN[2] * normal[2] >= 0;
  for (let s = 0; s < m.images; s++) extractTile(frame, info.columns, m, s, stored, (ascending ? s : m.images - 1 - s) * tileSize);
  // ImagePositionPatient refers to the whole mosaic: move to the first tile's centre of pixel (0,0).
  const p = fi.position!;
  const o0: V3 = [0, 1, 2].map((a) => p[a] + row[a] * psc * (info.columns - m.tileColumns) / 2 + col[a] * psr * (info.rows - m.tileRows) / 2) as V3;
  const origin: V3 = ascending ? o0 : ([0, 1, 2].map((a) => o0[a] + csaN[a] * spacing * (m.images - 1)) as V3);
  const data = applyRescale(stored, tileSize * m.images, [{ slope: fi.rescaleSlope, intercept: fi.rescaleIntercept }]);
  const affine = lpsToRasAffine(lpsAffine(origin, row, col, [psc, psr], scaleV(normal, spacing))) as Mat4;
  warnings.push(`Siemens mosaic: ${m.images} slices of ${m.tileColumns}×${m.tileRows} unpacked from a ${info.columns}×${info.rows} image`);
  return {
    data,
    dims: [m.tileColumns, m.tileRows, m.images],
    spacing: [psc, psr, spacing],
    affine,
    meta: {
      source: file,
      datatype: storedArrayType(info),
      modality: info.modality,
      warnings,
      dicom: { studyInstanceUID: info.studyInstanceUID, seriesInstanceUID: info.seriesInstanceUID, frameOfReferenceUID: info.frameOfReferenceUID, sopClassUID: info.sopClassUID, patient: info.patient },
    },
  };
}

async function decodeInto(r: SliceRef, parsed: ParsedDicom, out: StoredArray): Promise<void> {
  try {
    await decodeFrame(parsed, r.info, r.frame, out);
  } catch (e) {
    throw VolumeReadError.wrap(r.file, e);
  }
}

/** Parsed file for a slice; keeps only the latest file, so a folder never holds more than one file's bytes. */
async function parsedFor(file: string, cache: Map<string, ParsedDicom>): Promise<ParsedDicom> {
  let p = cache.get(file);
  if (!p) {
    cache.clear();
    try {
      p = parseDicomBytes(readFileSync(file)); // sync: per-file promise overhead dominates on big series
    } catch (e) {
      throw VolumeReadError.wrap(file, e);
    }
    cache.set(file, p);
  }
  return p;
}

/**
 * The array a grey series is decoded into: its stored type, except unsigned samples of at most 15 bits
 * (most CT: 12) that a rescale turns negative (HU), which are held in int16. Masked to BitsStored they
 * are the same values there, and applyRescale then converts them in place instead of into a second
 * array as large as the series.
 */
function holdingType(refs: SliceRef[]): ReturnType<typeof storedArrayType> {
  const type = storedArrayType(refs[0].info);
  if (type !== 'uint16' || refs[0].info.modalityLut) return type;
  const negative = refs.some((r) => r.frameInfo.rescaleIntercept < 0 || r.frameInfo.rescaleSlope < 0);
  const fits = refs.every((r) => r.info.bitsStored <= 15 && fitsBitsStored(r.info));
  return negative && fits ? 'int16' : type;
}

/** What decoded samples can be at most (masked to BitsStored), when every image guarantees it. */
function storedBounds(refs: SliceRef[]): { min: number; max: number } | undefined {
  if (!refs.every((r) => fitsBitsStored(r.info))) return undefined;
  const bits = Math.max(...refs.map((r) => r.info.bitsStored));
  if (!(bits >= 1 && bits <= 32)) return undefined;
  return refs[0].info.pixelRepresentation === 1 ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 } : { min: 0, max: 2 ** bits - 1 };
}

function scaleV(v: V3, s: number): V3 {
  return [v[0] * s, v[1] * s, v[2] * s];
}
