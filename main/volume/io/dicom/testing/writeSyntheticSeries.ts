import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { encodeDicom } from './encodeDicom';

// dcmjs ships no type declarations; load its CommonJS build and type the few calls we use.
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsApi;

interface DcmjsApi {
  data: {
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown>; uid(): string };
  };
}

export interface SyntheticSeriesOptions {
  rows: number;
  columns: number;
  slices: number;
  /** Slice spacing along the normal (mm). */
  spacing?: number;
  pixelSpacing?: [number, number];
  /** ImageOrientationPatient (default axial [1,0,0,0,1,0]). */
  orientation?: number[];
  origin?: [number, number, number];
  seriesInstanceUID?: string;
  rescaleIntercept?: number;
  rescaleSlope?: number;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  /** Stored value of voxel (i, j, k); default a ramp that identifies each voxel. */
  value?: (i: number, j: number, k: number) => number;
  /** Write files in a shuffled order with meaningless names (order must come from positions). */
  shuffle?: boolean;
  /** Per-slice in-plane offset along the column direction (mm per slice): a sheared stack. */
  shearPerSlice?: number;
  /** Slice indices to leave out (missing slices). */
  skip?: number[];
  /** Slice indices written without ImagePositionPatient (broken geometry). */
  noPosition?: number[];
}

/**
 * Write a CT series of signed 16-bit, Explicit VR Little Endian files with dcmjs (an independent
 * writer, so our reader is not checked against itself). Returns the file paths in slice order.
 */
export async function writeSyntheticSeries(dir: string, o: SyntheticSeriesOptions): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const { rows, columns, slices } = o;
  const spacing = o.spacing ?? 2;
  const ps = o.pixelSpacing ?? [0.75, 0.5];
  const iop = o.orientation ?? [1, 0, 0, 0, 1, 0];
  const origin = o.origin ?? [-100, -120, 50];
  const n = [iop[1] * iop[5] - iop[2] * iop[4], iop[2] * iop[3] - iop[0] * iop[5], iop[0] * iop[4] - iop[1] * iop[3]];
  const seriesUID = o.seriesInstanceUID ?? dcmjs.data.DicomMetaDictionary.uid();
  const studyUID = '1.2.826.0.1.3680043.8.498.1';
  const value = o.value ?? ((i: number, j: number, k: number) => ((i + 3 * j + 7 * k) % 2000) - 1000);
  const order = [...Array(slices).keys()].filter((k) => !o.skip?.includes(k));
  const written: string[] = [];
  const names = o.shuffle ? order.map((_, x) => x).sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101)) : order.map((_, x) => x);
  for (let x = 0; x < order.length; x++) {
    const k = order[x];
    const px = new Int16Array(rows * columns);
    for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) px[i + columns * j] = value(i, j, k);
    const shear = (o.shearPerSlice ?? 0) * k;
    const pos = [0, 1, 2].map((a) => origin[a] + n[a] * spacing * k + iop[3 + a] * shear);
    const sop = dcmjs.data.DicomMetaDictionary.uid();
    const ds: Record<string, unknown> = {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: sop,
      StudyInstanceUID: studyUID,
      SeriesInstanceUID: seriesUID,
      FrameOfReferenceUID: '1.2.826.0.1.3680043.8.498.2',
      Modality: 'CT',
      PatientName: 'Synthetic^Phantom',
      PatientID: 'SYN001',
      SeriesNumber: '1',
      SeriesDescription: 'synthetic series',
      InstanceNumber: String(x + 1),
      ImagePositionPatient: pos,
      ImageOrientationPatient: iop,
      PixelSpacing: ps,
      SliceThickness: spacing,
      Rows: rows,
      Columns: columns,
      SamplesPerPixel: 1,
      PhotometricInterpretation: o.photometric ?? 'MONOCHROME2',
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: o.rescaleIntercept ?? 0,
      RescaleSlope: o.rescaleSlope ?? 1,
      PixelData: px.buffer,
      _vrMap: { PixelData: 'OW' },
    };
    if (o.noPosition?.includes(k)) delete ds.ImagePositionPatient;
    const file = path.join(dir, `IM${String(names[x]).padStart(4, '0')}`);
    await writeFile(file, encodeDicom(ds));
    written[k] = file;
  }
  return written.filter(Boolean);
}
