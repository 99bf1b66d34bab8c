import { inflateCapped } from '../../../../util/inflateCapped';
import type { DicomImageInfo } from '../dicomImageInfo';
import type { Element, ParsedDicom } from '../parseDicomBytes';
import { TS_EXPLICIT_BE } from '../parseDicomBytes';
import { decodeWithCodec, type CodecName } from './codecs';
import { decodeJpegFamily } from './decodeJpeg';
import { codestreamSize } from './codestreamSize';
import { decodeRle } from './decodeRle';
import { encapsulatedFrames } from './encapsulatedFrames';

export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** How each compressed transfer syntax is decoded. Native (uncompressed) syntaxes are not listed. */
const ENCAPSULATED: Record<string, { name: string; codec: CodecName | 'rle' | 'jpeg' | 'deflate' }> = {
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', codec: 'openjpeg' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', codec: 'openjpeg' },
  '1.2.840.10008.1.2.4.201': { name: 'HTJ2K Lossless', codec: 'openjph' },
  '1.2.840.10008.1.2.4.202': { name: 'HTJ2K Lossless RPCL', codec: 'openjph' },
  '1.2.840.10008.1.2.4.203': { name: 'HTJ2K', codec: 'openjph' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', codec: 'rle' },
  '1.2.840.10008.1.2.8.1': { name: 'Deflated Image Frame Compression', codec: 'deflate' },
};

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', TS_EXPLICIT_BE]);

export function transferSyntaxName(uid: string): string {
  if (ENCAPSULATED[uid]) return ENCAPSULATED[uid].name;
  return (
    { '1.2.840.10008.1.2': 'Implicit VR Little Endian', '1.2.840.10008.1.2.1': 'Explicit VR Little Endian', '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian', [TS_EXPLICIT_BE]: 'Explicit VR Big Endian' }[uid] ?? uid
  );
}

/** Typed array class that holds one stored sample of this image. */
export function storedArrayType(info: DicomImageInfo): 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64' {
  if (info.pixelElement === 'x7fe00008') return 'float32';
  if (info.pixelElement === 'x7fe00009') return 'float64';
  const signed = info.pixelRepresentation === 1;
  if (info.bitsAllocated <= 8) return signed && info.bitsAllocated === 8 ? 'int8' : 'uint8';
  if (info.bitsAllocated <= 16) return signed ? 'int16' : 'uint16';
  if (info.bitsAllocated <= 32) return signed ? 'int32' : 'uint32';
  throw new Error(`BitsAllocated ${info.bitsAllocated} is not supported for integer Pixel Data`);
}

/**
 * Whether decoded samples always fit BitsStored: true except for JPEG 2000 codestreams, whose own
 * precision decodeFrame trusts when it exceeds BitsStored (pydicom #693).
 */
export function fitsBitsStored(info: DicomImageInfo): boolean {
  const codec = ENCAPSULATED[info.transferSyntaxUID]?.codec;
  return codec !== 'openjpeg' && codec !== 'openjph';
}

export function allocStored(type: ReturnType<typeof storedArrayType>, n: number): StoredArray {
  switch (type) {
    case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int32': return new Int32Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

/** Samples per frame after decoding (YBR_FULL_422 native data is expanded to full chroma). */
export function samplesPerFrame(info: DicomImageInfo): number {
  return info.rows * info.columns * info.samplesPerPixel;
}

/** Check the image description before any decoding, so a bad header gives one clear message. */
export function validateImageInfo(info: DicomImageInfo): void {
  if (!info.pixelElement) throw new Error('no Pixel Data (7FE0,0010): not an image');
  if (!info.rows || !info.columns) throw new Error(`image size is missing or zero (Rows ${info.rows}, Columns ${info.columns})`);
  if (![1, 3].includes(info.samplesPerPixel)) throw new Error(`SamplesPerPixel ${info.samplesPerPixel} is not supported`);
  if (info.pixelElement === 'x7fe00010' && ![1, 8, 12, 16, 32].includes(info.bitsAllocated)) throw new Error(`BitsAllocated ${info.bitsAllocated} is not supported`);
  if (info.bitsStored > info.bitsAllocated || info.bitsStored < 1) throw new Error(`BitsStored ${info.bitsStored} does not fit BitsAllocated ${info.bitsAllocated}`);
  if (!NATIVE.has(info.transferSyntaxUID) && !ENCAPSULATED[info.transferSyntaxUID]) throw new Error(`transfer syntax ${info.transferSyntaxUID} is not supported`);
}

/**
 * Decode frame `index` to stored values (before rescale): one sample per element, samples
 * interleaved per pixel, rows then columns. Bits above HighBit are masked off and values sign-extended
 * when PixelRepresentation is 1. Writes into `out` when given (it must be the stored array type and
 * hold rows*columns*samples elements), so a series decodes straight into its volume.
 */
export async function decodeFrame(parsed: ParsedDicom, info: DicomImageInfo, index: number, out?: StoredArray): Promise<StoredArray> {
  validateImageInfo(info);
  const n = samplesPerFrame(info);
  const type = storedArrayType(info);
  const target = out ?? allocStored(type, n);
  if (target.length !== n) throw new Error(`internal: frame buffer holds ${target.length} samples, frame has ${n}`);
  const el = parsed.dataSet.elements[info.pixelElement as string] as Element;
  const ts = info.transferSyntaxUID;
  let bitsForMask = info.bitsStored;
  if (NATIVE.has(ts) || !el.encapsulatedPixelData) {
    readNative(parsed, info, el, index, target);
  } else {
    const spec = ENCAPSULATED[ts];
    const frames = encapsulatedFrames(parsed.dataSet, el, info.numberOfFrames);
    if (index >= frames.length) throw new Error(`frame ${index} does not exist (${frames.length} frames)`);
    const encoded = frames[index];
    const declared = spec.codec === 'rle' || spec.codec === 'deflate' ? undefined : codestreamSize(encoded);
    // Decoders allocate what the codestream declares (or, for the JS JPEG decoder, what the header
    // asks it to scale to); a few lines of padding are tolerated, a mismatch of gigapixels is not.
    const [coded, header] = declared ? [declared.width * declared.height, info.rows * info.columns] : [0, 0];
    if (declared && (coded > 4 * header + 64 * 64 || header > 4 * coded + 64 * 64)) {
      throw new Error(`${spec.name} codestream declares ${declared.width}×${declared.height} pixels but the header says ${info.columns}×${info.rows}`);
    }
    let decoded: Uint8Array;
    switch (spec.codec) {
      case 'rle':
        decoded = decodeRle(encoded, info.rows, info.columns, info.samplesPerPixel, info.bitsAllocated);
        break;
      case 'deflate':
        decoded = inflateFrame(encoded, info.bitsAllocated === 1 ? Math.ceil(n / 8) : n * target.BYTES_PER_ELEMENT);
        if (info.bitsAllocated === 1) {
          unpackBits(decoded, 0, n, target as Uint8Array);
          return target;
        }
        break;
      case 'jpeg':
        decoded = await decodeJpegFamily(encoded, info.rows, info.columns, info.bitsAllocated > 8 ? 2 : 1);
        break;
      default: {
        const { bytes, info: fi } = await decodeWithCodec(spec.codec, encoded);
        if (fi.width !== info.columns || fi.height !== info.rows) {
          throw new Error(`${spec.name} codestream is ${fi.width}×${fi.height} but the header says ${info.columns}×${info.rows}`);
        }
        if (fi.componentCount !== info.samplesPerPixel) {
          throw new Error(`${spec.name} codestream has ${fi.componentCount} components but SamplesPerPixel is ${info.samplesPerPixel}`);
        }
        const bytesPerSample = info.bitsAllocated > 8 ? 2 : 1;
        if (fi.bitsPerSample > 8 * bytesPerSample) {
          throw new Error(`${spec.name} codestream has ${fi.bitsPerSample}-bit samples but BitsAllocated is ${info.bitsAllocated}`);
        }
        // J2K streams may carry a precision other than BitsStored (pydicom #693): trust the codestream.
        if ((spec.codec === 'openjpeg' || spec.codec === 'openjph') && fi.bitsPerSample > bitsForMask) bitsForMask = fi.bitsPerSample;
        decoded = bytes;
        break;
      }
    }
    const bytesPerSample = target.BYTES_PER_ELEMENT;
    if (decoded.length < n * bytesPerSample) {
      throw new Error(`${spec.name} frame decodes to ${decoded.length} bytes, expected ${n * bytesPerSample}`);
    }
    new Uint8Array(target.buffer, target.byteOffset, n * bytesPerSample).set(decoded.subarray(0, n * bytesPerSample));
  }
  maskStoredBits(target, info, bitsForMask);
  return target;
}

/** A Deflated Image Frame Compression frame: raw deflate (some writers wrap it in zlib), never inflated past the frame size. */
function inflateFrame(encoded: Uint8Array, frameBytes: number): Uint8Array {
  try {
    return inflateCapped(encoded, frameBytes, 'deflated frame');
  } catch (raw) {
    try {
      return inflateCapped(encoded, frameBytes, 'deflated frame', { zlib: true });
    } catch {
      throw raw;
    }
  }
}

function readNative(parsed: ParsedDicom, info: DicomImageInfo, el: Element, index: number, target: StoredArray): void {
  const bytes = parsed.bytes;
  const pixels = info.rows * info.columns;
  const n = pixels * info.samplesPerPixel;
  const is422 = info.photometric === 'YBR_FULL_422' && info.samplesPerPixel === 3 && info.bitsAllocated === 8;
  const frameBits = is422 ? pixels * 2 * 8 : n * info.bitsAllocated;
  const totalBytes = Math.ceil((frameBits * info.numberOfFrames) / 8);
  const available = Math.min(el.length, bytes.length - el.dataOffset);
  if (el.dataOffset + el.length > bytes.length) {
    throw new Error(`Pixel Data is truncated: ${bytes.length - el.dataOffset} of ${el.length} bytes present`);
  }
  if (available < totalBytes) {
    throw new Error(`Pixel Data has ${available} bytes, ${info.numberOfFrames} frame(s) of ${info.rows}×${info.columns}×${info.samplesPerPixel} at ${info.bitsAllocated} bits need ${totalBytes}`);
  }
  if (info.bitsAllocated === 1) {
    unpackBits(bytes.subarray(el.dataOffset), index * frameBits, n, target as Uint8Array);
    return;
  }
  const start = el.dataOffset + (index * frameBits) / 8;
  if (info.bitsAllocated === 12) {
    unpack12(bytes, start, n, target as Uint16Array | Int16Array);
    return;
  }
  if (is422) {
    expand422(bytes.subarray(start, start + pixels * 2), target as Uint8Array, pixels);
    return;
  }
  const bps = target.BYTES_PER_ELEMENT;
  const raw = new Uint8Array(target.buffer, target.byteOffset, n * bps);
  raw.set(bytes.subarray(start, start + n * bps));
  if (info.transferSyntaxUID === TS_EXPLICIT_BE && bps > 1) swapBytes(raw, bps);
  if (info.samplesPerPixel === 3 && info.planarConfiguration === 1) planarToInterleaved(target, pixels);
}

/** Bit-packed 1-bit data (SEG), least significant bit first; frames need not start on a byte. */
function unpackBits(src: Uint8Array, bitOffset: number, n: number, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const b = bitOffset + i;
    out[i] = (src[b >> 3] >> (b & 7)) & 1;
  }
}

/** ACR-NEMA packed 12-bit: two pixels in three bytes. */
function unpack12(bytes: Uint8Array, start: number, n: number, out: Uint16Array | Int16Array): void {
  let p = start;
  for (let i = 0; i < n; i += 2) {
    const b0 = bytes[p], b1 = bytes[p + 1], b2 = bytes[p + 2];
    out[i] = b0 | ((b1 & 0x0f) << 8);
    if (i + 1 < n) out[i + 1] = (b1 >> 4) | (b2 << 4);
    p += 3;
  }
}

function expand422(src: Uint8Array, out: Uint8Array, pixels: number): void {
  for (let p = 0, s = 0; p < pixels; p += 2, s += 4) {
    const cb = src[s + 2], cr = src[s + 3];
    out[p * 3] = src[s];
    out[p * 3 + 1] = cb;
    out[p * 3 + 2] = cr;
    if (p + 1 < pixels) {
      out[p * 3 + 3] = src[s + 1];
      out[p * 3 + 4] = cb;
      out[p * 3 + 5] = cr;
    }
  }
}

function swapBytes(raw: Uint8Array, bps: number): void {
  if (bps === 2) {
    for (let i = 0; i < raw.length; i += 2) {
      const t = raw[i];
      raw[i] = raw[i + 1];
      raw[i + 1] = t;
    }
  } else {
    for (let i = 0; i < raw.length; i += bps) {
      for (let a = i, b = i + bps - 1; a < b; a++, b--) {
        const t = raw[a];
        raw[a] = raw[b];
        raw[b] = t;
      }
    }
  }
}

function planarToInterleaved(a: StoredArray, pixels: number): void {
  const copy = a.slice();
  for (let s = 0; s < 3; s++) for (let p = 0; p < pixels; p++) a[p * 3 + s] = copy[s * pixels + p];
}

/** Keep only the BitsStored bits ending at HighBit; sign-extend two's-complement values. */
function maskStoredBits(a: StoredArray, info: DicomImageInfo, bitsStored: number): void {
  if (a instanceof Float32Array || a instanceof Float64Array) return;
  const container = a.BYTES_PER_ELEMENT * 8;
  const shift = Math.max(0, info.highBit + 1 - bitsStored);
  if (bitsStored >= container && shift === 0) return;
  const n = a.length;
  if (info.pixelRepresentation === 1) {
    const up = 32 - bitsStored;
    for (let i = 0; i < n; i++) a[i] = ((a[i] >> shift) << up) >> up;
  } else if (bitsStored >= 32) {
    return;
  } else {
    const mask = (1 << bitsStored) - 1;
    for (let i = 0; i < n; i++) a[i] = (a[i] >>> shift) & mask;
  }
}
