import type { LabelMap, Volume } from '../../Volume';
import { atomicWriteFile } from '../../../util/atomicWrite';
import { rasToLps, spacingFromAffine } from '../../geometry/affine';
import { dcmjs, type NaturalDataset } from './dcmjsApi';
import { codesForLabel, type Code } from './segCodes';
import { newUid } from './uid';

export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

export interface SegSegment {
  /** Label value in the label map. */
  value: number;
  label: string;
  /** Display colour, sRGB 0–255 (stored as CIELab). */
  color?: [number, number, number];
  category?: Code;
  type?: Code;
}

export interface WriteDicomSegOptions {
  /** The source scan (a DICOM-loaded Volume): its meta.dicom UIDs and patient/study data are referenced. */
  source?: Volume;
  /** Segments to write; default: `labels.labels`, else every non-zero value present. */
  segments?: SegSegment[];
  algorithmType?: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  algorithmName?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  contentLabel?: string;
  /** Write empty frames too (default false: only frames where the segment is present, as dcmqi does). */
  includeEmptyFrames?: boolean;
}

const DEFAULT_COLORS: Array<[number, number, number]> = [
  [221, 130, 101],
  [128, 174, 128],
  [241, 214, 145],
  [177, 122, 101],
  [111, 184, 210],
  [216, 101, 79],
  [183, 156, 220],
  [252, 163, 0],
];

function segmentsOf(labels: LabelMap | Volume, opts: WriteDicomSegOptions): SegSegment[] {
  if (opts.segments?.length) return opts.segments;
  const named = (labels as LabelMap).labels;
  if (Array.isArray(named) && named.length) return named.filter((l) => l.value !== 0).map((l) => ({ value: l.value, label: l.name, color: l.color }));
  const present = new Set<number>();
  for (let i = 0; i < labels.data.length; i++) if (labels.data[i] !== 0) present.add(labels.data[i]);
  return [...present].sort((a, b) => a - b).map((v) => ({ value: v, label: `Segment ${v}` }));
}

function ds(v: number): string {
  // DS is at most 16 characters.
  let s = String(+v.toPrecision(12));
  if (s.length > 16) s = v.toExponential(8);
  return s === '-0' ? '0' : s;
}

function unit(c: number[]): number[] {
  const n = Math.hypot(c[0], c[1], c[2]) || 1;
  return c.map((x) => x / n);
}

const today = (): { date: string; time: string } => {
  const d = new Date();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return { date: `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`, time: `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}` };
};

/**
 * Encode a label map as a DICOM Segmentation (BINARY, one segment per label value, frames bit-packed),
 * on the label map's own grid (normally the source series' grid). References the source series and,
 * when the grid matches the source slices, each source image per frame, so PACS viewers overlay it.
 */
export function encodeDicomSeg(labels: LabelMap | Volume, opts: WriteDicomSegOptions = {}): Uint8Array {
  const [cols, rows, slices] = labels.dims;
  const n = cols * rows * slices;
  if (labels.data.length !== n) throw new Error(`label data has ${labels.data.length} voxels, dims ${labels.dims.join('x')} need ${n}`);
  const segments = segmentsOf(labels, opts);
  if (segments.length === 0) throw new Error('no segments to write (label map is empty and no segments were given)');
  const src = opts.source;
  const dicom = src?.meta.dicom ?? labels.meta.dicom ?? {};
  if (src && (src.dims[0] !== cols || src.dims[1] !== rows || src.dims[2] !== slices))
    throw new Error(`label map ${labels.dims.join('x')} is not on the source grid ${src.dims.join('x')}; resample it onto the source first`);

  const lps = rasToLps(labels.affine);
  const sp = spacingFromAffine(labels.affine);
  const rowDir = unit([lps[0], lps[4], lps[8]]);
  const colDir = unit([lps[1], lps[5], lps[9]]);
  const position = (k: number): string[] => [lps[2] * k + lps[3], lps[6] * k + lps[7], lps[10] * k + lps[11]].map(ds);
  const sopUids = dicom.sopInstanceUIDs && dicom.sopInstanceUIDs.length === slices && dicom.sopInstanceUIDs.every(Boolean) ? dicom.sopInstanceUIDs : null;
  const srcSopClass = dicom.sopClassUID ?? '1.2.840.10008.5.1.4.1.1.2';

  // Frames: (segment, slice) pairs in segment-major order.
  const frameSize = cols * rows;
  const frames: Array<{ seg: number; k: number }> = [];
  const data = labels.data;
  for (let s = 0; s < segments.length; s++) {
    const value = segments[s].value;
    const before = frames.length;
    for (let k = 0; k < slices; k++) {
      let hit = !!opts.includeEmptyFrames;
      if (!hit) {
        const base = k * frameSize;
        for (let p = 0; p < frameSize; p++)
          if (data[base + p] === value) {
            hit = true;
            break;
          }
      }
      if (hit) frames.push({ seg: s, k });
    }
    // An absent segment still gets one (empty) frame so readers list it.
    if (frames.length === before) frames.push({ seg: s, k: 0 });
  }
  // Bit-pack all frames contiguously, first pixel in the least significant bit (PS3.5 §8.1.1).
  const totalBits = frames.length * frameSize;
  const packed = new Uint8Array(Math.ceil(totalBits / 8) + (Math.ceil(totalBits / 8) % 2));
  let bit = 0;
  for (const f of frames) {
    const value = segments[f.seg].value;
    const base = f.k * frameSize;
    for (let p = 0; p < frameSize; p++, bit++) if (data[base + p] === value) packed[bit >> 3] |= 1 << (bit & 7);
  }

  const { date, time } = today();
  const seriesUid = newUid();
  const sopUid = newUid();
  const patient = dicom.patient ?? {};
  const pn = (v: string | undefined): unknown => (v === undefined ? '' : [{ Alphabetic: v }]);
  const referencedInstances = sopUids?.map((u) => ({ ReferencedSOPClassUID: srcSopClass, ReferencedSOPInstanceUID: u }));

  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'PRIMARY'],
    SOPClassUID: SEG_SOP_CLASS_UID,
    SOPInstanceUID: sopUid,
    StudyDate: patient.StudyDate ?? date,
    SeriesDate: date,
    ContentDate: date,
    StudyTime: time,
    SeriesTime: time,
    ContentTime: time,
    AccessionNumber: patient.AccessionNumber ?? '',
    Modality: 'SEG',
    Manufacturer: 'Med3D Workstation',
    ReferringPhysicianName: '',
    SeriesDescription: opts.seriesDescription ?? 'Med3D segmentation',
    ManufacturerModelName: 'Med3D Workstation',
    SoftwareVersions: '0.1.0',
    DeviceSerialNumber: '1',
    PatientName: pn(patient.PatientName),
    PatientID: patient.PatientID ?? '',
    PatientBirthDate: patient.PatientBirthDate ?? '',
    PatientSex: patient.PatientSex ?? '',
    StudyInstanceUID: dicom.studyInstanceUID || newUid(),
    SeriesInstanceUID: seriesUid,
    StudyID: patient.StudyID ?? '',
    SeriesNumber: String(opts.seriesNumber ?? 300),
    InstanceNumber: '1',
    FrameOfReferenceUID: dicom.frameOfReferenceUID || newUid(),
    PositionReferenceIndicator: '',
    ContentLabel: (opts.contentLabel ?? 'SEGMENTATION').toUpperCase().replace(/[^A-Z0-9_ ]/g, '_').slice(0, 16),
    ContentDescription: 'Med3D segmentation',
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: String(frames.length),
    Rows: rows,
    Columns: cols,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    DimensionOrganizationType: '3D',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: newUid() }],
    SegmentSequence: segments.map((s, i) => {
      const codes = codesForLabel(s.label);
      const rgb = s.color ?? DEFAULT_COLORS[i % DEFAULT_COLORS.length];
      return {
        SegmentNumber: i + 1,
        SegmentLabel: s.label.slice(0, 64),
        SegmentAlgorithmType: opts.algorithmType ?? 'AUTOMATIC',
        ...((opts.algorithmType ?? 'AUTOMATIC') !== 'MANUAL' ? { SegmentAlgorithmName: opts.algorithmName ?? 'Med3D' } : {}),
        SegmentedPropertyCategoryCodeSequence: [s.category ?? codes.category],
        SegmentedPropertyTypeCodeSequence: [s.type ?? codes.type],
        RecommendedDisplayCIELabValue: dcmjs.data.Colors.rgb82DICOMLAB(rgb),
      };
    }),
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...rowDir, ...colDir].map(ds) }],
        PixelMeasuresSequence: [{ PixelSpacing: [ds(sp[1]), ds(sp[0])], SliceThickness: ds(sp[2]), SpacingBetweenSlices: ds(sp[2]) }],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map((f) => ({
      FrameContentSequence: [{ DimensionIndexValues: [f.seg + 1, f.k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: position(f.k) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.seg + 1 }],
      ...(sopUids
        ? {
            DerivationImageSequence: [
              {
                SourceImageSequence: [
                  {
                    ReferencedSOPClassUID: srcSopClass,
                    ReferencedSOPInstanceUID: sopUids[f.k],
                    PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
                  },
                ],
                DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
              },
            ],
          }
        : {}),
    })),
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: undefined,
        DimensionIndexPointer: '0062000B',
        FunctionalGroupPointer: '0062000A',
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: undefined,
        DimensionIndexPointer: '00200032',
        FunctionalGroupPointer: '00209113',
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    ...(dicom.seriesInstanceUID
      ? {
          ReferencedSeriesSequence: [
            { SeriesInstanceUID: dicom.seriesInstanceUID, ...(referencedInstances ? { ReferencedInstanceSequence: referencedInstances } : {}) },
          ],
        }
      : {}),
    PixelData: [packed.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  // Both dimension index items belong to the single dimension organisation.
  const orgUid = (dataset.DimensionOrganizationSequence as Array<{ DimensionOrganizationUID: string }>)[0].DimensionOrganizationUID;
  for (const item of dataset.DimensionIndexSequence as Array<Record<string, unknown>>) item.DimensionOrganizationUID = orgUid;

  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SEG_SOP_CLASS_UID,
    MediaStorageSOPInstanceUID: sopUid,
    TransferSyntaxUID: EXPLICIT_VR_LE,
    ImplementationClassUID: '2.25.229101965453407455862853946271870318551',
    ImplementationVersionName: 'MED3D_0.1',
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/** Write a DICOM SEG file atomically (see encodeDicomSeg). Errors name the file. */
export async function writeDicomSeg(file: string, labels: LabelMap | Volume, opts: WriteDicomSegOptions = {}): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeDicomSeg(labels, opts);
  } catch (err) {
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
  try {
    await atomicWriteFile(file, bytes);
  } catch (err) {
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}
