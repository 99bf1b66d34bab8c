import type { Mutation } from './Mutation';
import { pick } from './Mutation';

/**
 * Targeted DICOM attributes: NumberOfFrames, Rows/Columns, BitsAllocated and the transfer syntax.
 * Elements are found by their tag bytes (first match after the preamble; little endian, then big
 * endian), explicit or implicit VR. String values are replaced with their length field updated
 * (and the meta group length, for group 0002), so the file stays parseable up to the damage.
 */
interface Element {
  tagOff: number;
  /** Offset and size of the length field; value follows it. */
  lenOff: number;
  lenSize: 2 | 4;
  valueOff: number;
  length: number;
  le: boolean;
  explicit: boolean;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;

function findElement(b: Uint8Array, group: number, element: number): Element | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const start = b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d ? 132 : 0;
  for (const le of group === 2 ? [true] : [true, false]) {
    const pat = le ? [group & 255, group >> 8, element & 255, element >> 8] : [group >> 8, group & 255, element >> 8, element & 255];
    for (let i = start; i + 8 <= b.length; i++) {
      if (b[i] !== pat[0] || b[i + 1] !== pat[1] || b[i + 2] !== pat[2] || b[i + 3] !== pat[3]) continue;
      if (isUpper(b[i + 4]) && isUpper(b[i + 5])) {
        const vr = String.fromCharCode(b[i + 4], b[i + 5]);
        if (LONG_VRS.has(vr)) {
          if (i + 12 > b.length) return null;
          return { tagOff: i, lenOff: i + 8, lenSize: 4, valueOff: i + 12, length: dv.getUint32(i + 8, le), le, explicit: true };
        }
        return { tagOff: i, lenOff: i + 6, lenSize: 2, valueOff: i + 8, length: dv.getUint16(i + 6, le), le, explicit: true };
      }
      return { tagOff: i, lenOff: i + 4, lenSize: 4, valueOff: i + 8, length: dv.getUint32(i + 4, le), le, explicit: false };
    }
  }
  return null;
}

/** Joined into a fresh, unpooled buffer (callers view it through DataView at offset 0). */
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Replace an element's value with `value` (padded to even length), fixing its length field and the meta group length. */
function replaceValue(b: Uint8Array, el: Element, group: number, value: Uint8Array): Uint8Array {
  const padded = value.length % 2 ? concat(value, Uint8Array.of(group === 2 ? 0 : 0x20)) : value;
  if (el.lenSize === 2 && padded.length > 0xffff) return b;
  const out = concat(b.subarray(0, el.valueOff), padded, b.subarray(Math.min(b.length, el.valueOff + el.length)));
  const dv = new DataView(out.buffer);
  if (el.lenSize === 2) dv.setUint16(el.lenOff, padded.length, el.le);
  else dv.setUint32(el.lenOff, padded.length, el.le);
  const delta = padded.length - el.length;
  if (group === 2 && delta) {
    const gl = findElement(out, 2, 0);
    if (gl && gl.length === 4 && gl.valueOff + 4 <= out.length) dv.setUint32(gl.valueOff, dv.getUint32(gl.valueOff, true) + delta, true);
  }
  return out;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function setUint16Value(b: Uint8Array, group: number, element: number, v: number): Uint8Array | null {
  const el = findElement(b, group, element);
  if (!el || el.length !== 2 || el.valueOff + 2 > b.length) return null;
  const out = b.slice();
  new DataView(out.buffer).setUint16(el.valueOff, v, el.le);
  return out;
}

const TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.5',
  '1.2.3.4.5',
  '',
  'x'.repeat(70),
];

export const dicomMutations: Record<string, Mutation> = {
  dicomNumberOfFrames: {
    kinds: ['dicom'],
    apply(b, rng, detail) {
      const v = pick(rng, ['99999999', '2147483647', '4294967296', '0', '-1', '2', '1e9', 'abc', '']);
      const el = findElement(b, 0x28, 0x08);
      if (el) {
        detail(`NumberOfFrames ${v || '(empty)'}`);
        return replaceValue(b, el, 0x28, ascii(v));
      }
      // Absent (single-frame files): insert it just before Rows, where it sorts.
      const rows = findElement(b, 0x28, 0x10);
      if (!rows || !rows.le) return null;
      const value = ascii(v.length % 2 ? `${v} ` : v);
      const head = rows.explicit ? Uint8Array.of(0x28, 0, 0x08, 0, 0x49, 0x53, value.length & 255, value.length >> 8) : Uint8Array.of(0x28, 0, 0x08, 0, value.length & 255, value.length >> 8, 0, 0);
      detail(`NumberOfFrames ${v || '(empty)'} inserted`);
      return concat(b.subarray(0, rows.tagOff), head, value, b.subarray(rows.tagOff));
    },
  },
  dicomRowsColumns: {
    kinds: ['dicom'],
    apply(b, rng, detail) {
      const [name, element] = pick(rng, [['Rows', 0x10], ['Columns', 0x11]] as const);
      const v = pick(rng, [0, 1, 3, 4097, 32768, 65535]);
      detail(`${name} ${v}`);
      return setUint16Value(b, 0x28, element, v);
    },
  },
  dicomBitsAllocated: {
    kinds: ['dicom'],
    apply(b, rng, detail) {
      const [name, element] = pick(rng, [['BitsAllocated', 0x100], ['BitsAllocated', 0x100], ['BitsStored', 0x101], ['HighBit', 0x102], ['PixelRepresentation', 0x103], ['SamplesPerPixel', 0x02]] as const);
      const v = pick(rng, [0, 1, 7, 12, 24, 32, 64, 255, 65535]);
      detail(`${name} ${v}`);
      return setUint16Value(b, 0x28, element, v);
    },
  },
  dicomTransferSyntax: {
    kinds: ['dicom'],
    apply(b, rng, detail) {
      const el = findElement(b, 0x02, 0x10);
      if (!el) return null;
      const uid = pick(rng, TRANSFER_SYNTAXES);
      detail(`TransferSyntaxUID ${uid || '(empty)'}`);
      return replaceValue(b, el, 0x02, ascii(uid));
    },
  },
};
