import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { VolumeReadError } from '../errors';
import { readImageInfo, type DicomImageInfo } from './dicomImageInfo';
import { parseDicomBytes, type ParsedDicom } from './parseDicomBytes';
import { decodeFrame, validateImageInfo, type StoredArray } from './pixel/decodeFrame';

export interface DicomFile {
  file: string;
  parsed: ParsedDicom;
  info: DicomImageInfo;
  /**
   * Stored values (before rescale) of each frame: rows × columns × samples, samples interleaved,
   * masked to BitsStored and sign-extended. Empty when read with `decode: false`.
   */
  frames: StoredArray[];
}

export interface ReadDicomFileOptions {
  /** Decode the pixel frames (default true). */
  decode?: boolean;
  /** Parse only up to Pixel Data (implies decode: false): the cheap path for folder scans. */
  headerOnly?: boolean;
}

/** Bytes read first when only the header is needed; most headers are far smaller. */
const HEADER_PROBE_BYTES = 16 * 1024;

/**
 * Read one DICOM file: parse it (any transfer syntax we support), describe the image and decode
 * its frames. Throws VolumeReadError naming the file for anything unreadable.
 */
export async function readDicomFile(file: string, opts: ReadDicomFileOptions = {}): Promise<DicomFile> {
  try {
    const parsed = opts.headerOnly ? await parseHeaderOnly(file) : parseDicomBytes(await readBytes(file));
    const info = readImageInfo(parsed.dataSet, parsed.transferSyntaxUID);
    const frames: StoredArray[] = [];
    if (opts.decode !== false && !opts.headerOnly) {
      validateImageInfo(info);
      for (let f = 0; f < info.numberOfFrames; f++) frames.push(await decodeFrame(parsed, info, f));
    }
    return { file, parsed, info, frames };
  } catch (e) {
    throw VolumeReadError.wrap(file, e);
  }
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder, not a file' : err.message);
  }
}

/**
 * Parse the header from the first bytes of the file, reading the whole file only if the header is
 * longer. Synchronous on purpose: a folder scan does thousands of these tiny reads, where promise
 * overhead dominates (loading runs in the engine worker, not on the UI thread).
 */
async function parseHeaderOnly(file: string): Promise<ParsedDicom> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  try {
    const size = fstatSync(fd).size;
    if (size > HEADER_PROBE_BYTES) {
      const buf = new Uint8Array(HEADER_PROBE_BYTES);
      readSync(fd, buf, 0, HEADER_PROBE_BYTES, 0);
      try {
        const parsed = parseDicomBytes(buf, { headerOnly: true });
        // Only trust a probe that reached Pixel Data (deflated files need the whole stream).
        if (parsed.dataSet.elements.x7fe00010 || parsed.dataSet.elements.x7fe00008 || parsed.dataSet.elements.x7fe00009) return parsed;
      } catch {
        // header longer than the probe (or corrupt): fall through to the full read
      }
    }
    const all = new Uint8Array(size);
    readSync(fd, all, 0, size, 0);
    return parseDicomBytes(all, { headerOnly: true });
  } finally {
    closeSync(fd);
  }
}
