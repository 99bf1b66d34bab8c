import { promises as fs } from 'node:fs';
import type { Volume } from '../Volume';
import { VolumeReadError } from './errors';
import { loadDicom, type LoadDicomOptions } from './dicom/loadDicom';
import { readNifti } from './nifti/readNifti';
import { readDicomSeg } from './seg/readDicomSeg';
import { isNiftiFileName } from '../../../common/files/fileKind';

export interface LoadVolumeOptions {
  /**
   * Which 3D volume to load when the input holds several (NIfTI 4D/5D; DICOM volumes sharing slice
   * positions or cine frames). Default 0; a warning says so.
   */
  volumeIndex?: number;
  /** DICOM-only options (series choice, tilt handling); see loadDicom. */
  dicom?: LoadDicomOptions;
}

const SEG_CLASSES = ['1.2.840.10008.5.1.4.1.1.66.4', '1.2.840.10008.5.1.4.1.1.66.7'];

/** UID values are padded to even length with NUL; an odd-length UID is followed by it, an even one by the next tag. */
function endsWithUid(meta: string, uid: string): boolean {
  const i = meta.indexOf(uid);
  if (i < 0) return false;
  const next = meta.charCodeAt(i + uid.length);
  return next === 0x02 || next === 0x00; // next element of group 0002, or padding
}

/** What kind of input a path is, from its name and first bytes (no full read). */
export async function detectVolumeKind(file: string): Promise<'nifti' | 'dicom' | 'dicom-seg' | 'dicom-folder'> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VolumeReadError(file, code === 'ENOENT' ? 'no such file or folder' : (err as Error).message);
  }
  if (st.isDirectory()) return 'dicom-folder';
  if (isNiftiFileName(file)) return 'nifti';
  const fh = await fs.open(file, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const b = head.subarray(0, bytesRead);
    if (bytesRead >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) {
      // The file meta group names the SOP class: segmentations open as label maps.
      const meta = Buffer.from(b.buffer, b.byteOffset, bytesRead).toString('latin1');
      return SEG_CLASSES.some((uid) => meta.includes(`${uid}\0`) || meta.includes(`${uid} `) || endsWithUid(meta, uid)) ? 'dicom-seg' : 'dicom';
    }
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'nifti';
    if (bytesRead >= 4) {
      const dv = new DataView(b.buffer, 0, 4);
      const n = dv.getInt32(0, true);
      const nb = dv.getInt32(0, false);
      if (n === 348 || nb === 348 || n === 540 || nb === 540) return 'nifti';
    }
    // No preamble: DICOM files written without it (raw datasets) start with a group 0002/0008 tag.
    return 'dicom';
  } finally {
    await fh.close();
  }
}

/**
 * Load any supported scan as a Volume (RAS+ affine, scaled values):
 * .nii / .nii.gz / .hdr / .img(.gz) → NIfTI reader; a DICOM SEG file → its label map on its own grid
 * (readDicomSeg; use its `reference` option to place it on a source series); a folder or any other
 * file → DICOM loader.
 * Errors are VolumeReadError: one line naming the file and the cause.
 */
export async function loadVolume(path: string, opts: LoadVolumeOptions = {}): Promise<Volume> {
  // The reader boundary: whatever escapes a reader (an engine error included) leaves as one line naming the file.
  try {
    const kind = await detectVolumeKind(path);
    if (kind === 'nifti') return await readNifti(path, { volumeIndex: opts.volumeIndex });
    if (kind === 'dicom-seg') return await readDicomSeg(path);
    return await loadDicom(path, { frame: opts.volumeIndex, ...opts.dicom });
  } catch (err) {
    throw VolumeReadError.wrap(path, err);
  }
}
