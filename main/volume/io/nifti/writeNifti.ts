import type { LabelMap, Volume } from '../../Volume';
import { atomicWriteFile } from '../../../util/atomicWrite';
import { encodeNiftiParts, type EncodeNiftiOptions } from './encodeNifti';
import { gzipChunks } from './gzip';
import { isNiftiOutputName } from '../../../../common/files/fileKind';

export interface WriteNiftiOptions extends EncodeNiftiOptions {
  /**
   * gzip level 1–9 for .nii.gz. Default: 6 below 32 MB of voxels (masks: small files), 1 above
   * (nibabel's default; ~3x faster than 6 on a CT for ~10% more bytes).
   */
  compressionLevel?: number;
}

/**
 * Write a Volume or LabelMap as NIfTI-1 (.nii, or gzip-compressed when the name ends in .gz), atomically:
 * readers see the old file or the complete new one. The affine goes into both sform and qform, so every
 * reader (nibabel, ITK, FSL) puts the voxels at the same world positions. Compression runs off the JS
 * thread on the voxels in place: do not modify `vol.data` until the returned promise settles.
 */
export async function writeNifti(file: string, vol: Volume | LabelMap, opts: WriteNiftiOptions = {}): Promise<void> {
  if (!isNiftiOutputName(file)) throw new Error(`cannot write ${file}: NIfTI output needs a .nii or .nii.gz name`);
  let chunks: Uint8Array[];
  try {
    const { header, data } = encodeNiftiParts(vol, opts);
    chunks = [header, data];
    if (/\.gz$/i.test(file)) chunks = await gzipChunks(chunks, opts.compressionLevel ?? (data.length > 32 * 2 ** 20 ? 1 : 6));
  } catch (err) {
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
  try {
    await atomicWriteFile(file, chunks);
  } catch (err) {
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}
