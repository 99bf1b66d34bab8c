import type { Command } from 'commander';
import type { Volume } from '../../volume/Volume';
import { toRows } from '../../volume/geometry/affine';
import { axisCodes } from '../../volume/geometry/orientation';
import { stat } from 'node:fs/promises';
import type { SeriesListing } from '../../../common/api/types';
import { looksLikeCt } from '../../../common/volume/looksLikeCt';
import { listDicomSeries } from '../../volume/io/dicom/listDicomSeries';
import { loadVolume } from '../../volume/io/loadVolume';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import type { NiftiWriteDatatype } from '../../volume/io/nifti/encodeNifti';
import { CliError } from '../CliError';
import { isNiftiOutputName } from '../../../common/files/fileKind';

/** What `med3d info --json` prints (a stable contract: our own checks parse it). */
export interface VolumeInfo {
  source: string;
  dims: [number, number, number];
  spacing: [number, number, number];
  /** 4x4 index → RAS+ mm, rows (nibabel img.affine convention). */
  affine: number[][];
  axcodes: string;
  datatype: string | null;
  /** Value statistics over the finite voxels (null only when no voxel is finite). */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Voxels that are NaN or ±Infinity, left out of min/max/mean. */
  nonFinite: number;
  modality: string | null;
  /** 'HU' when the values are CT Hounsfield units (declared CT, or a NIfTI whose value range is CT's: common/volume/looksLikeCt), else null. */
  valueUnit: 'HU' | null;
  warnings: string[];
}

function volumeInfo(vol: Volume, source: string): VolumeInfo {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  const d = vol.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // NaN fails every comparison; ±Infinity is caught by the subtraction.
    if (!(v - v === 0)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    finite++;
  }
  const nonFinite = d.length - finite;
  const warnings = [...vol.meta.warnings];
  if (nonFinite > 0) warnings.push(`${nonFinite} of ${d.length} voxels are NaN or ±Infinity: statistics cover the finite voxels only`);
  return {
    source,
    dims: [vol.dims[0], vol.dims[1], vol.dims[2]],
    spacing: [vol.spacing[0], vol.spacing[1], vol.spacing[2]],
    affine: toRows(vol.affine),
    axcodes: axisCodes(vol.affine),
    datatype: vol.meta.datatype ?? null,
    min: finite ? min : null,
    max: finite ? max : null,
    mean: finite ? sum / finite : null,
    nonFinite,
    modality: vol.meta.modality ?? null,
    valueUnit: finite && looksLikeCt({ modality: vol.meta.modality ?? 'unknown', min, max }) ? 'HU' : null,
    warnings,
  };
}

function fmt(x: number, digits = 4): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

function printInfo(info: VolumeInfo): string {
  const lines = [
    `source:   ${info.source}`,
    `dims:     ${info.dims.join(' x ')}`,
    `spacing:  ${info.spacing.map((s) => fmt(s)).join(' x ')} mm`,
    `axcodes:  ${info.axcodes}`,
    `affine (index → RAS+ mm):`,
    ...info.affine.map((r) => `  [${r.map((v) => fmt(v).padStart(11)).join(' ')} ]`),
    `datatype: ${info.datatype ?? 'unknown'}`,
    `modality: ${info.modality ?? 'unknown'}`,
    info.min === null || info.max === null || info.mean === null
      ? `values:   no finite voxels (${info.nonFinite} NaN or ±Infinity)`
      : `values:   min ${fmt(info.min)}  max ${fmt(info.max)}  mean ${fmt(info.mean)}${info.valueUnit ? ` (${info.valueUnit})` : ''}${info.nonFinite ? `  (${info.nonFinite} non-finite voxels left out)` : ''}`,
  ];
  if (info.warnings.length) lines.push('warnings:', ...info.warnings.map((w) => `  - ${w}`));
  return `${lines.join('\n')}\n`;
}

function parseIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--volume must be a non-negative integer, got '${v}'`, 2);
  return n;
}

async function load(input: string, volumeIndex?: number, series?: string): Promise<Volume> {
  try {
    return await loadVolume(input, { volumeIndex, ...(series !== undefined ? { dicom: { seriesInstanceUID: series } } : {}) });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  }
}

function parseSeriesNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--series must be a series number from the listing (1, 2, ...), got '${v}'`, 2);
  return n;
}

/**
 * A folder with several series is listed rather than loaded (loading the largest silently hides the
 * others); --series N picks one. Files and one-series folders load as they are.
 */
async function chooseSeries(input: string, series?: number): Promise<{ kind: 'load'; key?: string } | { kind: 'listing'; listing: SeriesListing }> {
  const isFolder = await stat(input).then((s) => s.isDirectory(), () => false);
  if (!isFolder) {
    if (series !== undefined) throw new CliError(`--series applies to a DICOM folder; ${input} is not a folder`, 2);
    return { kind: 'load' };
  }
  let listing: SeriesListing;
  try {
    listing = await listDicomSeries(input);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  }
  if (series === undefined) return listing.series.length > 1 ? { kind: 'listing', listing } : { kind: 'load' };
  const chosen = listing.series[series - 1];
  if (!chosen) throw new CliError(`${input}: no series ${series}; the folder holds ${listing.series.length} image series (see med3d info ${input})`, 2);
  return { kind: 'load', key: chosen.key };
}

function printSeriesListing(l: SeriesListing): string {
  const lines = [`${l.path} holds ${l.series.length} image series (largest first):`];
  for (const s of l.series) {
    lines.push(`  ${s.index}. ${s.description}  [${s.dims.join(' x ')}, ${s.fileCount} file(s)]`);
    for (const w of s.warnings) lines.push(`       - ${w}`);
  }
  if (l.skippedFiles) lines.push(`${l.skippedFiles} file(s) are not DICOM images`);
  lines.push(`Pick one with --series N, e.g. med3d info ${JSON.stringify(l.path)} --series 1`);
  return `${lines.join('\n')}\n`;
}

const WRITE_TYPES: NiftiWriteDatatype[] = ['uint8', 'int8', 'uint16', 'int16', 'int32', 'uint32', 'float32', 'float64'];

export function register(program: Command): void {
  program
    .command('info')
    .description('Describe the volume a file or folder loads as: dims, spacing, RAS+ affine, datatype, value range, warnings.')
    .argument('<file|folder>', 'NIfTI file (.nii, .nii.gz, .hdr/.img) or DICOM file or folder')
    .option('--json', 'print JSON (dims, spacing, affine, datatype, min, max, mean over finite voxels, nonFinite count, modality, warnings)')
    .option('--volume <n>', 'which volume of a 4D/5D or multi-volume input (default 0)', parseIndex)
    .option('--series <n>', 'which series of a DICOM folder holding several, numbered as info lists them (1 = largest)', parseSeriesNumber)
    .action(async (input: string, opts: { json?: boolean; volume?: number; series?: number }) => {
      const choice = await chooseSeries(input, opts.series);
      if (choice.kind === 'listing') {
        process.stdout.write(opts.json ? `${JSON.stringify(choice.listing, null, 2)}\n` : printSeriesListing(choice.listing));
        return;
      }
      const vol = await load(input, opts.volume, choice.key);
      const info = volumeInfo(vol, input);
      process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : printInfo(info));
    });

  program
    .command('convert')
    .description('Convert a scan (DICOM series/file or NIfTI) to NIfTI (.nii or .nii.gz), keeping its world geometry.')
    .argument('<file|folder>', 'input scan')
    .argument('<out>', 'output .nii or .nii.gz')
    .option('--volume <n>', 'which volume of a 4D/5D or multi-volume input (default 0)', parseIndex)
    .option('--datatype <type>', `on-disk type (${WRITE_TYPES.join(', ')}); default follows the data`)
    .option('--series <n>', 'which series of a DICOM folder holding several, numbered as med3d info lists them (default: the largest, with a warning)', parseSeriesNumber)
    .action(async (input: string, out: string, opts: { volume?: number; datatype?: string; series?: number }) => {
      if (!isNiftiOutputName(out)) throw new CliError(`cannot write ${out}: output must end in .nii or .nii.gz`, 2);
      if (opts.datatype && !WRITE_TYPES.includes(opts.datatype as NiftiWriteDatatype))
        throw new CliError(`--datatype must be one of ${WRITE_TYPES.join(', ')}, got '${opts.datatype}'`, 2);
      const choice = opts.series !== undefined ? await chooseSeries(input, opts.series) : { kind: 'load' as const };
      const vol = await load(input, opts.volume, choice.kind === 'load' ? choice.key : undefined);
      try {
        await writeNifti(out, vol, { datatype: opts.datatype as NiftiWriteDatatype | undefined });
      } catch (err) {
        throw new CliError((err as Error).message, 1);
      }
      const w = vol.meta.warnings.length ? ` (${vol.meta.warnings.length} warning(s); see med3d info)` : '';
      process.stdout.write(`wrote ${out}: ${vol.dims.join('x')} ${vol.meta.datatype ?? ''}${w}\n`);
    });
}
