import { createRequire } from 'node:module';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import * as losslessNs from 'jpeg-lossless-decoder-js';
import { describeCause } from '../../../../util/readerErrorMessage';
import { decodeWithCodec } from './codecs';

const lossless: typeof losslessNs = (losslessNs as unknown as { default?: typeof losslessNs }).default ?? losslessNs;

export interface JpegProcess {
  /** SOF marker number (0 baseline, 1 extended, 3 lossless, ...); 55 for JPEG-LS. */
  sof: number;
  precision: number;
  components: number;
}

/** Read the frame header of a JPEG codestream: which process and precision it really uses. */
export function jpegProcess(b: Uint8Array): JpegProcess {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error('JPEG frame does not start with SOI (FFD8)');
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1];
    if (m === 0xff || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += m === 0xff ? 1 : 2;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    if ((m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7) {
      return { sof: m === 0xf7 ? 55 : m - 0xc0, precision: b[i + 4], components: b[i + 9] };
    }
    if (m === 0xda || m === 0xd9) break;
    i += 2 + len;
  }
  throw new Error('JPEG frame has no frame header (SOF marker)');
}

interface JpegImageLike {
  parse(data: Uint8Array): void;
  colorTransform?: boolean;
  getData(w: number, h: number): Uint8Array;
  getData16(w: number, h: number): Uint16Array;
}

/**
 * The decoder's level shift is written for 8-bit samples (q + 2056) >> 4 and scaled by a float for
 * other precisions, which offsets 12-bit output by ~+15 and clips the low end (checked against dcmtk
 * and GDCM on the shared JPEG Extended files). We patch that one expression to the exact JPEG level
 * shift for any precision P: clamp((q + 2^(P-1)·16 + 8) >> 4, 0, 2^P − 1); for P = 8 it is unchanged.
 */
const LEVEL_SHIFT_BUG =
  /q =\s*q <= -2056 \/ component\.bitConversion\s*\? 0\s*: q >= 2024 \/ component\.bitConversion\s*\? 255 \/ component\.bitConversion\s*: \(q \+ 2056 \/ component\.bitConversion\) >> 4;/;
const LEVEL_SHIFT_FIX =
  'var maxv = Math.round(255 / component.bitConversion); q = (q + (maxv + 1) * 8 + 8) >> 4; q = q < 0 ? 0 : q > maxv ? maxv : q;';

let jpegImageCtor: Promise<new () => JpegImageLike> | undefined;

/**
 * cornerstone's JavaScript DCT JPEG decoder (the one its dicom-image-loader uses for 12-bit JPEG).
 * The package does not export the file, so it is located beside the package entry point.
 */
function loadJpegImage(): Promise<new () => JpegImageLike> {
  jpegImageCtor ??= (async () => {
    const req = createRequire(import.meta.url);
    const entry = req.resolve('@cornerstonejs/dicom-image-loader');
    const file = path.join(path.dirname(entry), 'codecs', 'jpeg.js');
    const src = await readFile(file, 'utf8');
    const patched = src.replace(LEVEL_SHIFT_BUG, LEVEL_SHIFT_FIX);
    if (patched === src) throw new Error(`unexpected version of ${file}: cannot apply the 12-bit level-shift fix`);
    const url = `data:text/javascript;base64,${Buffer.from(patched).toString('base64')}`;
    const mod = (await import(url)) as { default: new () => JpegImageLike };
    return mod.default;
  })();
  return jpegImageCtor;
}

/**
 * Decode any JPEG-family frame (baseline, extended 12-bit, lossless, JPEG-LS) by the process its
 * frame header declares, not by the transfer syntax alone: real files mislabel it (a DCT stream under
 * the lossless UID, for one). Colour frames are returned as stored components (no YCbCr→RGB step),
 * as the Photometric Interpretation describes them; the caller converts.
 * Returns little-endian bytes, 1 or 2 per sample.
 */
export async function decodeJpegFamily(encoded: Uint8Array, rows: number, columns: number, bytesPerSample: number): Promise<Uint8Array> {
  const proc = jpegProcess(encoded);
  if (proc.sof === 55) return (await decodeWithCodec('charls', encoded)).bytes;
  if ([3, 7, 11, 15].includes(proc.sof)) {
    const copy = new Uint8Array(encoded); // a real copy: Buffer.slice would share the whole file
    let res: Uint8Array | Uint16Array;
    try {
      res = new lossless.Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample) as Uint8Array | Uint16Array;
    } catch (e) {
      throw new Error(`JPEG Lossless frame could not be decoded (${describeCause(e)})`);
    }
    return new Uint8Array(res.buffer, res.byteOffset, res.byteLength);
  }
  if (proc.sof > 2) throw new Error(`JPEG process SOF${proc.sof} (arithmetic or hierarchical coding) is not supported`);
  if (proc.precision === 8 && proc.components === 1) {
    try {
      return (await decodeWithCodec('libjpeg-turbo', encoded)).bytes;
    } catch {
      // fall back to the JavaScript decoder below, which is more lenient with odd streams
    }
  }
  const Ctor = await loadJpegImage();
  const img = new Ctor();
  try {
    img.parse(encoded);
    img.colorTransform = false;
    const data = bytesPerSample === 2 ? img.getData16(columns, rows) : img.getData(columns, rows);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (e) {
    throw new Error(`JPEG frame could not be decoded (${describeCause(e)})`);
  }
}
