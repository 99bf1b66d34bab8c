import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Typed view of ../shared/data/manifest.json, only the parts the DICOM tests read. */
export interface ValueStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface ManifestFile {
  path: string;
  category: string;
  format?: string;
  expect: 'ok' | 'error';
  error_scope?: string;
  description: string;
  facts: Record<string, unknown> & {
    transfer_syntax_uid?: string | null;
    Rows?: number | null;
    Columns?: number | null;
    SamplesPerPixel?: number | null;
    NumberOfFrames?: number | string | null;
    PhotometricInterpretation?: string | null;
    decoded_array_shape?: number[] | null;
    stored_value_stats?: ValueStats;
    rescaled_value_stats?: ValueStats;
    functional_groups_rescaled_value_stats?: ValueStats;
    pydicom_decoded?: boolean | null;
    affine?: number[][];
    shape?: number[];
    scaled_data_stats?: ValueStats;
  };
}

export interface ManifestSeries {
  path: string;
  description: string;
  files: string[];
  facts: {
    number_of_files: number;
    series_instance_uids: string[];
    slice_normal: number[];
    first_ImagePositionPatient: number[];
    slice_spacing_mm: { min: number; max: number; mean: number; median: number };
    slice_spacing_uniform: boolean;
    duplicate_positions: number;
    max_inplane_offset_between_slices_mm: number;
    stack_shear_angle_deg?: number;
    PixelSpacing: number[];
    Rows: number[];
    Columns: number[];
    volume_shape_zyx: number[];
    volume_HU_stats?: ValueStats;
    volume_rescaled_stats?: ValueStats;
  };
}

export interface Manifest {
  files: ManifestFile[];
  series: ManifestSeries[];
}

export function loadManifest(dataDir: string): Manifest | undefined {
  const file = path.join(dataDir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** min / max / mean / population std in float64, like the manifest's numpy statistics. */
export function stats(arrays: ArrayLike<number>[]): ValueStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    n += a.length;
  }
  const mean = sum / n;
  let ss = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) ss += (a[i] - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / n) };
}
