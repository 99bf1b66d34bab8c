import * as dicomParserNs from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { inflateCapped } from '../../../util/inflateCapped';
import { describeCause, isEngineError } from '../../../util/readerErrorMessage';
import { readLimits } from '../../../util/readLimits';

/**
 * dicom-parser ships a UMD bundle: under Node's ESM loader only its default export carries the
 * functions, while bundlers expose them as named exports. Accept both.
 */
const dicomParser: typeof dicomParserNs =
  (dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs;

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';

export type { DataSet, Element };

export interface ParsedDicom {
  dataSet: DataSet;
  /** Transfer syntax of the data set (from the file meta, or inferred for raw data sets). */
  transferSyntaxUID: string;
  /** True when the transfer syntax was guessed because the file has no file meta group. */
  transferSyntaxInferred: boolean;
  /** Whether the file starts with the 128-byte preamble and "DICM". */
  hasPreamble: boolean;
  /** True when parsing stopped before Pixel Data (header-only read). */
  headerOnly: boolean;
  /** Bytes the element offsets refer to (the inflated stream for deflated files). */
  bytes: Uint8Array;
}

export interface ParseOptions {
  /** Stop before Pixel Data: enough for series bookkeeping, much less work on big files. */
  headerOnly?: boolean;
}

/** Error from the DICOM byte layer, in words; callers wrap it as VolumeReadError with the file. */
export class DicomParseError extends Error {
  override name = 'DicomParseError';
}

const VR_CODES = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/**
 * Parse DICOM bytes with dicom-parser, covering what it does not do on its own:
 * files without preamble (raw data sets, or a file meta group without preamble), deflated
 * data sets (inflated with fflate) and readable one-line errors.
 */
export function parseDicomBytes(bytes: Uint8Array, opts: ParseOptions = {}): ParsedDicom {
  if (bytes.length < 8) throw new DicomParseError(`file too small to be DICOM (${bytes.length} bytes)`);
  const hasPreamble = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  let input = bytes;
  let inferred: string | undefined;
  if (!hasPreamble) {
    const sniff = sniffRawDataSet(bytes);
    if (sniff === 'meta') {
      // File meta group present but no preamble: give dicom-parser the preamble it expects.
      input = new Uint8Array(bytes.length + 132);
      input.set([0x44, 0x49, 0x43, 0x4d], 128);
      input.set(bytes, 132);
    } else if (sniff) {
      inferred = sniff;
    } else {
      throw new DicomParseError('not a DICOM file: no "DICM" prefix at byte 128 and no recognisable data set at the start');
    }
  }
  const options: dicomParserNs.ParseDicomOptions = {
    inflater: (arr: Uint8Array, position: number) => {
      let inflated: Uint8Array;
      try {
        inflated = inflateCapped(arr.subarray(position), readLimits().maxDecompressedBytes, 'deflated data set');
      } catch (e) {
        throw new DicomParseError(`${(e as Error).message}${/more than/.test((e as Error).message) ? ' (the limit on decompressed size; raise it with MED3D_MAX_DECOMPRESSED_BYTES)' : ''}`);
      }
      const full = new Uint8Array(position + inflated.length);
      full.set(arr.subarray(0, position), 0);
      full.set(inflated, position);
      return full;
    },
  } as dicomParserNs.ParseDicomOptions;
  if (inferred) options.TransferSyntaxUID = inferred;
  if (opts.headerOnly) options.untilTag = 'x7fe00010';
  let dataSet: DataSet | undefined;
  const excised: string[] = [];
  for (let attempt = 0; !dataSet; attempt++) {
    try {
      dataSet = dicomParser.parseDicom(input, options);
    } catch (e) {
      // CP-246: an undefined-length UN element whose items are Implicit VR Little Endian, inside a
      // Big Endian data set. dicom-parser reads the items big-endian and fails; we cut the element
      // out (it is never image data) and parse again.
      const cut = attempt < 8 ? exciseLittleEndianUnSequence(input, e) : undefined;
      if (!cut) throw new DicomParseError(describeParserError(e));
      excised.push(cut.tag);
      input = cut.bytes;
    }
  }
  if (excised.length) dataSet.warnings.push(`skipped ${excised.join(', ')}: UN sequence(s) of undefined length encoded Implicit VR Little Endian (CP-246)`);
  if (!opts.headerOnly) {
    const missingDelimiter = dataSet.warnings.find((w) => /missing sequence delimiter/.test(w) && /x7fe00010/.test(w));
    if (missingDelimiter) throw new DicomParseError('file is truncated: encapsulated Pixel Data ends without its sequence delimiter');
  }
  const tsElement = dataSet.elements.x00020010;
  const transferSyntaxUID = (inferred ?? (tsElement ? dataSet.string('x00020010') : undefined) ?? '').replace(/\0/g, '').trim();
  if (!transferSyntaxUID) throw new DicomParseError('file meta group has no Transfer Syntax UID (0002,0010)');
  return {
    dataSet,
    transferSyntaxUID,
    transferSyntaxInferred: inferred !== undefined,
    hasPreamble,
    headerOnly: !!opts.headerOnly,
    bytes: dataSet.byteArray as Uint8Array,
  };
}

/**
 * Guess the encoding of a file without preamble from its first element: 'meta' when it starts with
 * the (0002,xxxx) group, else the transfer syntax of a raw data set, or undefined when it does not look
 * like DICOM. Real raw data sets start with a low even group (0008 in practice).
 */
function sniffRawDataSet(b: Uint8Array): string | 'meta' | undefined {
  const groupLE = b[0] | (b[1] << 8);
  const groupBE = (b[0] << 8) | b[1];
  const vr = String.fromCharCode(b[4], b[5]);
  const explicit = VR_CODES.has(vr);
  if (groupLE === 0x0002 && explicit) return 'meta';
  if (groupLE >= 0x0008 && groupLE <= 0x0028 && groupLE % 2 === 0) return explicit ? TS_EXPLICIT_LE : TS_IMPLICIT_LE;
  if (groupBE >= 0x0008 && groupBE <= 0x0028 && groupBE % 2 === 0 && explicit) return TS_EXPLICIT_BE;
  return undefined;
}

function describeParserError(e: unknown): string {
  if (e instanceof DicomParseError) return e.message;
  // dicom-parser throws strings, Errors, or { exception, dataSet } when it fails part-way.
  const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  // Engine errors inside the parser (deep sequence nesting overflows its recursion) are described, not quoted.
  if (isEngineError(inner)) return `invalid DICOM structure (${describeCause(inner)})`;
  const raw = typeof inner === 'string' ? inner : inner instanceof Error ? inner.message : String(inner);
  const msg = raw.replace(/^dicomParser\.[A-Za-z0-9_.]+:\s*/, '');
  if (/past end of buffer|buffer overr(un|ead)|eof|maxPosition/i.test(raw)) return `file is truncated or corrupt (${msg})`;
  if (/missing required meta header attribute 0002,0010/.test(raw)) return 'file meta group has no Transfer Syntax UID (0002,0010)';
  return `invalid DICOM structure (${msg})`;
}

/**
 * When dicom-parser fails to find an item tag right after a big-endian UN element of undefined length,
 * check that the bytes there are a little-endian item (FFFE,E000), walk the Implicit VR Little Endian
 * sequence to its delimiter and return the bytes with the whole element removed.
 */
function exciseLittleEndianUnSequence(b: Uint8Array, err: unknown): { bytes: Uint8Array; tag: string } | undefined {
  const inner = err && typeof err === 'object' && 'exception' in err ? (err as { exception: unknown }).exception : err;
  const msg = typeof inner === 'string' ? inner : inner instanceof Error ? inner.message : '';
  const m = /item tag \(FFFE,E000\) not found at offset (\d+)/i.exec(msg);
  if (!m) return undefined;
  // dicom-parser reports the offset after the 8 bytes it read as the item header.
  const itemAt = [Number(m[1]) - 8, Number(m[1])].find((p) => p >= 12 && b[p - 8] === 0x55 && b[p - 7] === 0x4e) ?? -1;
  const start = itemAt - 12;
  if (start < 0 || b[start + 4] !== 0x55 || b[start + 5] !== 0x4e) return undefined; // 'UN'
  if (b[start + 8] !== 0xff || b[start + 9] !== 0xff || b[start + 10] !== 0xff || b[start + 11] !== 0xff) return undefined;
  const u16 = (p: number): number => b[p] | (b[p + 1] << 8);
  const u32 = (p: number): number => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  // Returns the offset just past the sequence delimitation item, or -1.
  const walkSequence = (p: number, depth: number): number => {
    if (depth > 16) return -1;
    while (p + 8 <= b.length) {
      if (u16(p) !== 0xfffe) return -1;
      const el = u16(p + 2);
      const len = u32(p + 4);
      p += 8;
      if (el === 0xe0dd) return p;
      if (el !== 0xe000) return -1;
      if (len !== 0xffffffff) {
        p += len;
        continue;
      }
      // Undefined-length item: implicit elements until the item delimiter.
      for (;;) {
        if (p + 8 > b.length) return -1;
        const g = u16(p), e2 = u16(p + 2), l = u32(p + 4);
        p += 8;
        if (g === 0xfffe && e2 === 0xe00d) break;
        if (l === 0xffffffff) {
          p = walkSequence(p, depth + 1);
          if (p < 0) return -1;
        } else p += l;
      }
    }
    return -1;
  };
  if (u16(itemAt) !== 0xfffe || u16(itemAt + 2) !== 0xe000) return undefined;
  const end = walkSequence(itemAt, 0);
  if (end < 0) return undefined;
  const group = ((b[start] << 8) | b[start + 1]).toString(16).padStart(4, '0');
  const elem = ((b[start + 2] << 8) | b[start + 3]).toString(16).padStart(4, '0');
  const out = new Uint8Array(b.length - (end - start));
  out.set(b.subarray(0, start), 0);
  out.set(b.subarray(end), start);
  return { bytes: out, tag: `(${group},${elem})`.toUpperCase() };
}
