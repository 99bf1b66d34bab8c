import { checkLimit } from '../../../util/readLimits';
import type { DataSet, Element } from './parseDicomBytes';
import { DicomParseError } from './parseDicomBytes';

/** Geometry and value mapping of one frame (a classic single-frame file has exactly one). */
export interface FrameInfo {
  /** ImagePositionPatient: centre of the first transmitted pixel, LPS mm. */
  position?: [number, number, number];
  /** ImageOrientationPatient: row direction (i, along a row) then column direction (j), LPS. */
  orientation?: [number, number, number, number, number, number];
  /** PixelSpacing [between rows (j), between columns (i)] in mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  /** Modality rescale; 1 / 0 when absent. */
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Keys that tell several volumes at the same positions apart (temporal position, echo, dimension index). */
  stackKey?: string;
}

export interface DicomImageInfo {
  transferSyntaxUID: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometric: string;
  planarConfiguration: number;
  numberOfFrames: number;
  /** Which pixel element holds the data: integer Pixel Data, Float or Double Float Pixel Data. */
  pixelElement: 'x7fe00010' | 'x7fe00008' | 'x7fe00009' | undefined;
  modality?: string;
  sopClassUID?: string;
  sopInstanceUID?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  frameOfReferenceUID?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  acquisitionNumber?: number;
  imageType?: string;
  gantryTilt?: number;
  /** One entry per frame, with shared and per-frame functional groups already merged. */
  frames: FrameInfo[];
  /** True for enhanced multi-frame objects (per-frame functional groups present). */
  enhanced: boolean;
  /** Modality LUT Sequence (0028,3000) instead of rescale. */
  modalityLut?: { firstMapped: number; bits: number; data: Uint16Array | Int16Array | Uint8Array };
  patient: Record<string, string>;
}

/** Read a string element with NULs and padding stripped; undefined when absent or empty. */
export function str(ds: DataSet, tag: string, index?: number): string | undefined {
  if (!ds.elements[tag]) return undefined;
  const s = ds.string(tag, index);
  if (s === undefined) return undefined;
  const t = s.replace(/\0/g, '').trim();
  return t === '' ? undefined : t;
}

/** Decimal string (DS) values; throws when present but not numeric so a corrupt header is not read as 0. */
export function dsList(ds: DataSet, tag: string, name: string): number[] | undefined {
  const raw = str(ds, tag);
  if (raw === undefined) return undefined;
  const parts = raw.split('\\').map((p) => p.trim());
  const out = parts.map((p) => Number(p));
  if (out.some((v, i) => parts[i] === '' || !Number.isFinite(v))) throw new DicomParseError(`${name} ${tagName(tag)} has invalid value '${raw}'`);
  return out;
}

function dsOne(ds: DataSet, tag: string, name: string): number | undefined {
  return dsList(ds, tag, name)?.[0];
}

/** Integer string (IS); strict, so '1A' is an error rather than 1. */
export function isValue(ds: DataSet, tag: string, name: string): number | undefined {
  const raw = str(ds, tag);
  if (raw === undefined) return undefined;
  const first = raw.split('\\')[0].trim();
  if (!/^[+-]?\d+$/.test(first)) throw new DicomParseError(`${name} ${tagName(tag)} has invalid value '${raw}'`);
  return Number(first);
}

function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  return ds.uint16(tag);
}

function tagName(tag: string): string {
  return `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`;
}

function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  const el: Element | undefined = ds?.elements[tag];
  return el?.items?.[0]?.dataSet;
}

function vec<N extends number>(v: number[] | undefined, n: N): number[] | undefined {
  return v && v.length >= n ? v.slice(0, n) : undefined;
}

/** Merge the geometry/rescale found in one functional-group item (or the top-level data set) into `f`. */
function readFrameFields(src: DataSet | undefined, f: Partial<FrameInfo>): void {
  if (!src) return;
  const pos = firstItem(src, 'x00209113');
  const ori = firstItem(src, 'x00209116');
  const meas = firstItem(src, 'x00289110');
  const pvt = firstItem(src, 'x00289145');
  const content = firstItem(src, 'x00209111');
  const p = vec(dsList(pos ?? src, 'x00200032', 'ImagePositionPatient'), 3);
  if (p && (pos || !f.position)) f.position = p as FrameInfo['position'];
  const o = vec(dsList(ori ?? src, 'x00200037', 'ImageOrientationPatient'), 6);
  if (o && (ori || !f.orientation)) f.orientation = o as FrameInfo['orientation'];
  const ps = vec(dsList(meas ?? src, 'x00280030', 'PixelSpacing'), 2);
  if (ps && (meas || !f.pixelSpacing)) f.pixelSpacing = ps as FrameInfo['pixelSpacing'];
  const th = dsOne(meas ?? src, 'x00180050', 'SliceThickness');
  if (th !== undefined && (meas || f.sliceThickness === undefined)) f.sliceThickness = th;
  const slope = dsOne(pvt ?? src, 'x00281053', 'RescaleSlope');
  const icpt = dsOne(pvt ?? src, 'x00281052', 'RescaleIntercept');
  if (slope !== undefined && (pvt || f.rescaleSlope === undefined)) f.rescaleSlope = slope;
  if (icpt !== undefined && (pvt || f.rescaleIntercept === undefined)) f.rescaleIntercept = icpt;
  if (content) {
    const parts: string[] = [];
    const tpi = content.elements.x00209128 ? content.uint32('x00209128') : undefined;
    if (tpi !== undefined) parts.push(`t${tpi}`);
    const stack = str(content, 'x00209056');
    if (stack) parts.push(`s${stack}`);
    if (parts.length) f.stackKey = parts.join('/');
  }
}

/** Everything needed to decode and place the pixels of one DICOM object. */
export function readImageInfo(ds: DataSet, transferSyntaxUID: string): DicomImageInfo {
  const pixelElement = ds.elements.x7fe00010 ? 'x7fe00010' : ds.elements.x7fe00008 ? 'x7fe00008' : ds.elements.x7fe00009 ? 'x7fe00009' : undefined;
  const numberOfFrames = isValue(ds, 'x00280008', 'NumberOfFrames') ?? 1;
  if (numberOfFrames < 1) throw new DicomParseError(`NumberOfFrames (0028,0008) is ${numberOfFrames}`);
  const bitsAllocated = us(ds, 'x00280100') ?? (pixelElement === 'x7fe00009' ? 64 : pixelElement === 'x7fe00008' ? 32 : 0);
  const bitsStored = us(ds, 'x00280101') ?? bitsAllocated;
  const samplesPerPixel = us(ds, 'x00280002') ?? 1;
  const photometric = str(ds, 'x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
  const info: DicomImageInfo = {
    transferSyntaxUID,
    rows: us(ds, 'x00280010') ?? 0,
    columns: us(ds, 'x00280011') ?? 0,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit: us(ds, 'x00280102') ?? bitsStored - 1,
    pixelRepresentation: us(ds, 'x00280103') ?? 0,
    photometric: photometric.toUpperCase(),
    planarConfiguration: us(ds, 'x00280006') ?? 0,
    numberOfFrames,
    pixelElement,
    modality: str(ds, 'x00080060'),
    sopClassUID: str(ds, 'x00080016'),
    sopInstanceUID: str(ds, 'x00080018'),
    studyInstanceUID: str(ds, 'x0020000d'),
    seriesInstanceUID: str(ds, 'x0020000e'),
    frameOfReferenceUID: str(ds, 'x00200052'),
    seriesDescription: str(ds, 'x0008103e'),
    seriesNumber: safeInt(ds, 'x00200011'),
    instanceNumber: safeInt(ds, 'x00200013'),
    acquisitionNumber: safeInt(ds, 'x00200012'),
    imageType: str(ds, 'x00080008'),
    gantryTilt: safeNum(ds, 'x00181120'),
    frames: [],
    enhanced: !!ds.elements.x52009230,
    patient: {},
  };
  for (const [tag, key] of [
    ['x00100010', 'PatientName'],
    ['x00100020', 'PatientID'],
    ['x00100030', 'PatientBirthDate'],
    ['x00100040', 'PatientSex'],
    ['x00080020', 'StudyDate'],
    ['x00080050', 'AccessionNumber'],
    ['x00200010', 'StudyID'],
  ] as const) {
    const v = str(ds, tag);
    if (v !== undefined) info.patient[key] = v;
  }

  // Shared values: top level, then the shared functional groups (enhanced objects).
  const base: Partial<FrameInfo> = {};
  readFrameFields(ds, base);
  const shared = firstItem(ds, 'x52009229');
  readFrameFields(shared, base);
  const perFrame = ds.elements.x52009230?.items ?? [];
  const echo = safeInt(ds, 'x00180086');
  const temporal = safeInt(ds, 'x00200100');
  const classicKey = [echo !== undefined ? `e${echo}` : '', temporal !== undefined ? `t${temporal}` : ''].filter(Boolean).join('/') || undefined;
  checkFrameCount(ds, info, perFrame.length);
  for (let f = 0; f < numberOfFrames; f++) {
    const fr: Partial<FrameInfo> = { ...base };
    readFrameFields(perFrame[f]?.dataSet, fr);
    info.frames.push({
      position: fr.position,
      orientation: fr.orientation,
      pixelSpacing: fr.pixelSpacing,
      sliceThickness: fr.sliceThickness,
      rescaleSlope: fr.rescaleSlope ?? 1,
      rescaleIntercept: fr.rescaleIntercept ?? 0,
      stackKey: fr.stackKey ?? classicKey,
    });
  }
  // A multi-frame object without per-frame positions but with a frame increment along z
  // (e.g. RT Dose: GridFrameOffsetVector) describes a stack from one position.
  const offsets = dsList(ds, 'x3004000c', 'GridFrameOffsetVector');
  if (offsets && offsets.length === numberOfFrames && !info.enhanced && info.frames[0].position && info.frames[0].orientation) {
    const o = info.frames[0].orientation;
    const n = cross([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    const p0 = info.frames[0].position;
    info.frames.forEach((fr, i) => {
      fr.position = [p0[0] + n[0] * offsets[i], p0[1] + n[1] * offsets[i], p0[2] + n[2] * offsets[i]];
    });
  }
  const doseScaling = safeNum(ds, 'x3004000e');
  if (doseScaling !== undefined && info.modality === 'RTDOSE') info.frames.forEach((fr) => (fr.rescaleSlope *= doseScaling));

  const mlut = firstItem(ds, 'x00283000');
  if (mlut && mlut.elements.x00283006) {
    const desc = mlut.elements.x00283002;
    const count = (desc && mlut.uint16('x00283002', 0)) || 65536;
    const firstMapped = desc ? (info.pixelRepresentation ? mlut.int16('x00283002', 1) ?? 0 : mlut.uint16('x00283002', 1) ?? 0) : 0;
    const bits = (desc && mlut.uint16('x00283002', 2)) || 16;
    const el = mlut.elements.x00283006;
    const data = bits > 8 ? new Uint16Array(count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) data[i] = bits > 8 ? mlut.uint16('x00283006', i) ?? 0 : (mlut.byteArray as Uint8Array)[el.dataOffset + i];
    info.modalityLut = { firstMapped, bits, data };
  }
  return info;
}

/**
 * NumberOfFrames comes from the header; everything per frame (records, buffers) is sized by it. Check
 * it against what the file can hold before anything is built: native Pixel Data must have the bytes
 * for every frame, encapsulated Pixel Data at least one fragment per frame, and the voxel count must fit
 * MED3D_MAX_VOXELS. (A 10 KB file claiming 99,999,999 frames once built 5 GB of per-frame records.)
 */
function checkFrameCount(ds: DataSet, info: DicomImageInfo, perFrameItems: number): void {
  const n = info.numberOfFrames;
  const tag = 'NumberOfFrames (0028,0008)';
  if (!Number.isSafeInteger(n)) throw new DicomParseError(`${tag} is ${n}`);
  const el = info.pixelElement ? ds.elements[info.pixelElement] : undefined;
  if (!el) {
    // No image: frames only describe functional groups, of which the file has this many.
    if (n > Math.max(1, perFrameItems)) throw new DicomParseError(`${tag} is ${n} but the file has no Pixel Data and ${perFrameItems} per-frame item(s)`);
    return;
  }
  const { rows, columns } = info;
  if (!rows || !columns) throw new DicomParseError(`image size is missing or zero (Rows ${rows}, Columns ${columns})`);
  const voxels = (): void => checkLimit('maxVoxels', rows * columns * n, `${n} frame(s) of ${columns}×${rows}`);
  if (el.encapsulatedPixelData) {
    const fragments = el.fragments?.length;
    if (fragments !== undefined && n > fragments) throw new DicomParseError(`${tag} is ${n} but the encapsulated Pixel Data has only ${fragments} fragment(s)`);
    return voxels();
  }
  if (el.length === 0xffffffff) return voxels(); // undefined length of a header-only read: checked when decoded
  // YBR_FULL_422 stores two samples per pixel; no native frame is smaller than this.
  const samples = info.photometric === 'YBR_FULL_422' ? Math.min(2, info.samplesPerPixel) : info.samplesPerPixel;
  const frameBits = rows * columns * Math.max(1, samples) * Math.max(1, info.bitsAllocated);
  const fit = Math.floor((el.length * 8) / frameBits);
  if (n > fit) {
    const declared = ds.elements.x00280008 ? `${tag} is ${n}` : 'the header describes 1 frame';
    throw new DicomParseError(`${declared} but Pixel Data holds ${el.length} bytes, enough for ${fit} frame(s) of ${columns}×${rows}×${info.samplesPerPixel} at ${info.bitsAllocated} bits`);
  }
  voxels();
}

function safeInt(ds: DataSet, tag: string): number | undefined {
  const raw = str(ds, tag);
  if (raw === undefined) return undefined;
  const v = Number(raw.split('\\')[0]);
  return Number.isInteger(v) ? v : undefined;
}

function safeNum(ds: DataSet, tag: string): number | undefined {
  const raw = str(ds, tag);
  if (raw === undefined) return undefined;
  const v = Number(raw.split('\\')[0]);
  return Number.isFinite(v) ? v : undefined;
}

export function cross(a: [number, number, number], b: [number, number, number]): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
