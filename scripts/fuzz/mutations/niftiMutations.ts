import { gunzipSync, gzipSync } from 'node:zlib';
import type { SeededRandom } from '../../../main/util/seededRandom';
import type { Mutation } from './Mutation';
import { pick } from './Mutation';

/**
 * Targeted NIfTI-1/-2 header fields (offsets from the NIfTI standard). A .nii.gz is inflated,
 * its header changed and deflated again, so the damage reaches the header parser rather than
 * stopping at the gzip layer.
 */
interface Header {
  dv: DataView;
  le: boolean;
  v2: boolean;
  length: number;
}

const OFFSETS = {
  dim: { v1: 40, v2: 16 },
  datatype: { v1: 70, v2: 12 },
  bitpix: { v1: 72, v2: 14 },
  voxOffset: { v1: 108, v2: 168 },
  sclSlope: { v1: 112, v2: 176 },
} as const;

function headerOf(b: Uint8Array): Header | null {
  if (b.length < 348) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const le of [true, false]) {
    const size = dv.getInt32(0, le);
    if (size === 348) return { dv, le, v2: false, length: b.length };
    if (size === 540 && b.length >= 540) return { dv, le, v2: true, length: b.length };
  }
  return null;
}

const isGzip = (b: Uint8Array): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Apply `edit` to the (inflated) header; null when the bytes hold no NIfTI header. */
function editHeader(bytes: Uint8Array, edit: (h: Header) => string): Uint8Array | null {
  let raw: Uint8Array;
  try {
    raw = isGzip(bytes) ? new Uint8Array(gunzipSync(bytes, { maxOutputLength: 256 << 20 })) : bytes.slice();
  } catch {
    return null;
  }
  const h = headerOf(raw);
  if (!h) return null;
  edit(h);
  return isGzip(bytes) ? new Uint8Array(gzipSync(raw, { level: 1 })) : raw;
}

function headerMutation(field: string, edit: (h: Header, rng: SeededRandom) => string): Mutation {
  return {
    kinds: ['nifti'],
    apply(bytes, rng, detail) {
      return editHeader(bytes, (h) => {
        const what = edit(h, rng);
        detail(`${field} ${what} (NIfTI-${h.v2 ? 2 : 1}, ${h.le ? 'LE' : 'BE'})`);
        return what;
      });
    },
  };
}

const setInt16 = (h: Header, off: number, v: number): void => h.dv.setInt16(off, v, h.le);

export const niftiMutations: Record<string, Mutation> = {
  niftiDims: headerMutation('dim', (h, rng) => {
    const k = rng.int(0, 7);
    if (h.v2) {
      const v = pick(rng, [0n, -1n, 1n, 8n, 9n, 65535n, 1n << 31n, 1n << 40n, 1n << 62n]);
      h.dv.setBigInt64(OFFSETS.dim.v2 + 8 * k, v, h.le);
      return `[${k}] = ${v}`;
    }
    const v = pick(rng, [0, -1, 1, 7, 8, 9, 255, 4096, 32767, -32768]);
    setInt16(h, OFFSETS.dim.v1 + 2 * k, v);
    return `[${k}] = ${v}`;
  }),
  niftiDatatype: headerMutation('datatype', (h, rng) => {
    const v = pick(rng, [0, 1, 2, 4, 8, 16, 32, 64, 128, 255, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304, 3, 17, 32767, -1]);
    setInt16(h, h.v2 ? OFFSETS.datatype.v2 : OFFSETS.datatype.v1, v);
    return `= ${v}`;
  }),
  niftiBitpix: headerMutation('bitpix', (h, rng) => {
    const v = pick(rng, [0, 1, 4, 7, 8, 12, 16, 24, 31, 32, 64, 128, 255, -8, 32767]);
    setInt16(h, h.v2 ? OFFSETS.bitpix.v2 : OFFSETS.bitpix.v1, v);
    return `= ${v}`;
  }),
  niftiVoxOffset: headerMutation('vox_offset', (h, rng) => {
    if (h.v2) {
      const v = pick(rng, [0n, -1n, -540n, 539n, 541n, BigInt(h.length), BigInt(h.length + 1), 1n << 40n, 1n << 62n]);
      h.dv.setBigInt64(OFFSETS.voxOffset.v2, v, h.le);
      return `= ${v}`;
    }
    const v = pick(rng, [0, -1, -352, 347, 353, 352.5, h.length, h.length + 1, 1e9, 1e30, Number.NaN, Infinity, -Infinity]);
    h.dv.setFloat32(OFFSETS.voxOffset.v1, v, h.le);
    return `= ${v}`;
  }),
  niftiSclSlope: headerMutation('scl_slope', (h, rng) => {
    const v = pick(rng, [0, -1, 1e-45, 1e38, -1e38, 3.4e38, Number.NaN, Infinity, -Infinity, ...(h.v2 ? [1e308, -1e308] : [])]);
    if (h.v2) h.dv.setFloat64(OFFSETS.sclSlope.v2, v, h.le);
    else h.dv.setFloat32(OFFSETS.sclSlope.v1, v, h.le);
    return `= ${v}`;
  }),
};
