import type { FileKind } from '../api/types';

/**
 * What a file is, from its name: the one place that knows NIfTI's, DICOM's and the weights'
 * extensions (the file browser, recent items, batch discovery, datasets, readers and writers ask
 * here). Readers still decide from the bytes; names only route and filter.
 */

/** Any part of a NIfTI volume: single-file .nii, or the Analyze-style .hdr + .img pair; each may be gzipped. */
const NIFTI_PART = /\.(nii|hdr|img)(\.gz)?$/i;
/** The file that names a NIfTI volume: the .nii, or the pair's .hdr (its .img only holds the voxels). */
const NIFTI_VOLUME = /\.(nii|hdr)(\.gz)?$/i;
/** What we write: single-file NIfTI. */
const NIFTI_OUTPUT = /\.nii(\.gz)?$/i;

export const isNiftiFileName = (name: string): boolean => NIFTI_PART.test(name);
export const isNiftiVolumeName = (name: string): boolean => NIFTI_VOLUME.test(name);
export const isNiftiOutputName = (name: string): boolean => NIFTI_OUTPUT.test(name);

/** `case01.nii.gz` → `case01` (any NIfTI part's extension; other names unchanged). */
export const stripNiftiExtension = (name: string): string => name.replace(NIFTI_PART, '');

export const isDicomFileName = (name: string): boolean => /\.dcm$/i.test(name) || name === 'DICOMDIR';

export function fileKindOf(name: string): FileKind {
  if (isNiftiFileName(name)) return 'nifti';
  if (isDicomFileName(name)) return 'dicom';
  if (/\.(pth|pt|pth\.tar)$/i.test(name)) return 'weights';
  if (/\.m3d$/i.test(name)) return 'checkpoint';
  return 'other';
}
