import { promises as fs } from 'node:fs';
import type { Volume } from '../../Volume';
import { VolumeReadError } from '../errors';
import { decodeNifti, niftiContentCap, type NiftiImage } from './decodeNifti';
import { gunzipCapped, isGzip } from './gzip';
import { readLimits } from '../../../util/readLimits';
import { niftiToVolume } from './niftiToVolume';
import { NiftiRangeWhileReading } from './NiftiRangeWhileReading';
import { readFileInChunks } from '../readFileInChunks';
import { noteValueRange } from '../../valueRange';

export interface ReadNiftiOptions {
  /** Which 3D volume of a 4D/5D file to load (default 0; a warning says so). */
  volumeIndex?: number;
}

/**
 * A NIfTI part's bytes, inflated (only as far as its header describes) when gzipped. `watch` sees the
 * bytes as they are read, or as they are inflated (NiftiRangeWhileReading).
 */
async function readMaybeGz(file: string, cap: (prefix: Uint8Array) => number | undefined, watch?: NiftiRangeWhileReading): Promise<Uint8Array> {
  const u8 = await readFileInChunks(file, watch ? watch.onBytes : () => {});
  return isGzip(u8) ? gunzipCapped(u8, cap, readLimits(), watch?.onBytes) : u8;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** For one half of a .hdr/.img pair, the other half (trying with and without .gz, either case). */
async function partner(file: string, want: 'hdr' | 'img'): Promise<string | null> {
  const base = file.replace(/\.(hdr|img)(\.gz)?$/i, '');
  const upper = /\.(HDR|IMG)(\.GZ)?$/.test(file);
  const exts = upper ? [want.toUpperCase(), want] : [want, want.toUpperCase()];
  for (const e of exts)
    for (const gz of ['', '.gz', '.GZ']) {
      const cand = `${base}.${e}${gz}`;
      if (await exists(cand)) return cand;
    }
  return null;
}

/**
 * Read and decode a NIfTI file (all volumes, stored values + header facts). `.hdr`/`.img` pairs can be
 * named by either half. Errors are VolumeReadError naming the file and the cause.
 */
export async function readNiftiImage(file: string, watch?: NiftiRangeWhileReading): Promise<NiftiImage> {
  try {
    let hdrFile = file;
    let imgFile: string | null = null;
    if (/\.img(\.gz)?$/i.test(file)) {
      const h = await partner(file, 'hdr');
      if (!h) throw new Error('image file of a NIfTI pair without its .hdr header next to it');
      hdrFile = h;
      imgFile = file;
    } else if (/\.hdr(\.gz)?$/i.test(file)) {
      imgFile = await partner(file, 'img');
    }
    const header = await readMaybeGz(hdrFile, niftiContentCap(imgFile ? 'header' : 'single'), imgFile ? undefined : watch);
    let image: Uint8Array | undefined;
    const magic = header.length >= 348 ? String.fromCharCode(header[344], header[345], header[346]) : '';
    const isPairMagic = magic === 'ni1' || (header.length >= 7 && String.fromCharCode(header[4], header[5], header[6]) === 'ni2');
    if (isPairMagic) {
      if (!imgFile) throw new Error('NIfTI pair header (magic ni1/ni2) without its .img file next to it');
      try {
        image = await readMaybeGz(imgFile, niftiContentCap('image', header));
      } catch (err) {
        throw new Error(`cannot read the pair's image file ${imgFile}: ${(err as Error).message}`);
      }
    }
    return decodeNifti(header, image);
  } catch (err) {
    throw VolumeReadError.wrap(file, describeFsError(err));
  }
}

function describeFsError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'ENOENT') return new Error('no such file');
  if (e && e.code === 'EISDIR') return new Error('is a folder, not a NIfTI file');
  if (e && e.code === 'EACCES') return new Error('permission denied');
  return err;
}

/** Load a NIfTI file as a Volume (RAS+ affine as nibabel's img.affine, values scaled). */
export async function readNifti(file: string, opts: ReadNiftiOptions = {}): Promise<Volume> {
  const watch = new NiftiRangeWhileReading();
  const img = await readNiftiImage(file, watch);
  let vol: Volume;
  try {
    vol = niftiToVolume(img, { volumeIndex: opts.volumeIndex, source: file });
  } catch (err) {
    throw VolumeReadError.wrap(file, err);
  }
  const range = watch.rangeOf(vol.data);
  if (range) noteValueRange(vol.data, range);
  return vol;
}
