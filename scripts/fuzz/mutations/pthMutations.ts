import { crc32 } from '../../../main/engine/weights/zip/crc32';
import type { SeededRandom } from '../../../main/util/seededRandom';
import type { Mutation } from './Mutation';
import { pick } from './Mutation';

/**
 * Targeted .pth damage: zip entry headers and sizes (torch.save's zip format) and pickle opcodes
 * and their size/integer arguments (data.pkl inside the zip, or the legacy format's leading
 * pickles). Pickle edits keep the length and re-stamp the entry CRC, so they reach the unpickler
 * instead of stopping at a checksum.
 */

// ---------- zip ----------
interface ZipRecord {
  name: string;
  /** Offsets of the central directory record and of the local header. */
  central: number;
  local: number;
  method: number;
  compressedSize: number;
}

function zipRecords(b: Uint8Array): ZipRecord[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let p = b.length - 22; p >= Math.max(0, b.length - 22 - 0xffff); p--) {
    if (dv.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return [];
  const out: ZipRecord[] = [];
  let p = dv.getUint32(eocd + 16, true);
  for (let i = 0, n = dv.getUint16(eocd + 10, true); i < n && p + 46 <= b.length && dv.getUint32(p, true) === 0x02014b50; i++) {
    const nameLen = dv.getUint16(p + 28, true);
    const name = new TextDecoder().decode(b.subarray(p + 46, p + 46 + nameLen));
    out.push({ name, central: p, local: dv.getUint32(p + 42, true), method: dv.getUint16(p + 10, true), compressedSize: dv.getUint32(p + 20, true) });
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

const isZip = (b: Uint8Array): boolean => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Where a stored record's data starts. */
function dataOffset(b: Uint8Array, r: ZipRecord): number | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (r.local + 30 > b.length || dv.getUint32(r.local, true) !== 0x04034b50) return null;
  const off = r.local + 30 + dv.getUint16(r.local + 26, true) + dv.getUint16(r.local + 28, true);
  return off + r.compressedSize <= b.length ? off : null;
}

/** Field offsets in the local header / central record: [local, central, size in bytes]. */
const ZIP_FIELDS = {
  flags: [6, 8, 2],
  method: [8, 10, 2],
  crc: [14, 16, 4],
  compressedSize: [18, 20, 4],
  size: [22, 24, 4],
  nameLength: [26, 28, 2],
  extraLength: [28, 30, 2],
} as const;

function zipFieldEdit(fields: readonly (keyof typeof ZIP_FIELDS)[], values: (rng: SeededRandom, old: number, fileSize: number) => number): Mutation {
  return {
    kinds: ['pth'],
    apply(b, rng, detail) {
      if (!isZip(b)) return null;
      const recs = zipRecords(b);
      if (!recs.length) return null;
      const r = pick(rng, recs);
      const field = pick(rng, fields);
      const [lo, co, size] = ZIP_FIELDS[field];
      const inCentral = rng.next() < 0.5;
      const at = (inCentral ? r.central + co : r.local + lo) as number;
      if (at + size > b.length) return null;
      const out = b.slice();
      const dv = new DataView(out.buffer);
      const old = size === 2 ? dv.getUint16(at, true) : dv.getUint32(at, true);
      const v = values(rng, old, b.length);
      if (size === 2) dv.setUint16(at, v & 0xffff, true);
      else dv.setUint32(at, v >>> 0, true);
      detail(`${r.name}: ${inCentral ? 'central' : 'local'} ${field} ${old} -> ${size === 2 ? v & 0xffff : v >>> 0}`);
      return out;
    },
  };
}

// ---------- pickle ----------
/** Argument layout per opcode: fixed byte count, 'u8'/'u32'/'u64' length-prefixed, or 'line'/'2lines' (newline-terminated). */
type Arg = number | 'u8' | 'u32' | 'u64' | 'line' | '2lines';
const ARGS: Record<number, Arg> = {};
for (const c of '()]}N.tldsueabRQ0128') ARGS[c.charCodeAt(0)] = 0;
for (const op of [0x85, 0x86, 0x87, 0x88, 0x89, 0x81, 0x92, 0x93, 0x94, 0x8f, 0x90, 0x91, 0x97, 0x98]) ARGS[op] = 0;
Object.assign(ARGS, { 0x4b: 1, 0x4d: 2, 0x4a: 4, 0x71: 1, 0x72: 4, 0x68: 1, 0x6a: 4, 0x80: 1, 0x95: 8, 0x82: 1, 0x83: 2, 0x84: 4, 0x47: 8 });
Object.assign(ARGS, { 0x58: 'u32', 0x42: 'u32', 0x54: 'u32', 0x55: 'u8', 0x43: 'u8', 0x8c: 'u8', 0x8a: 'u8', 0x8b: 'u32', 0x8d: 'u64', 0x8e: 'u64', 0x96: 'u64' });
for (const c of 'ILFSVPgp') ARGS[c.charCodeAt(0)] = 'line';
for (const c of 'ci') ARGS[c.charCodeAt(0)] = '2lines';

interface Op {
  pos: number;
  op: number;
  /** Offset and size of the fixed-size or length-prefix argument (0 when none). */
  argPos: number;
  argSize: number;
}

/** Walk pickle opcodes from `start` through up to `maxPickles` consecutive pickles (legacy .pth has several). */
function walkPickle(b: Uint8Array, start: number, end: number, maxPickles: number): Op[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ops: Op[] = [];
  let p = start;
  let pickles = 0;
  while (p < end && pickles < maxPickles && ops.length < 200_000) {
    const op = b[p];
    const arg = ARGS[op];
    if (arg === undefined) break;
    const rec: Op = { pos: p, op, argPos: p + 1, argSize: 0 };
    let next = p + 1;
    if (typeof arg === 'number') {
      rec.argSize = arg;
      next += arg;
    } else if (arg === 'u8' || arg === 'u32' || arg === 'u64') {
      const n = arg === 'u8' ? 1 : arg === 'u32' ? 4 : 8;
      if (next + n > end) break;
      const len = n === 1 ? b[next] : n === 4 ? dv.getUint32(next, true) : Number(dv.getBigUint64(next, true));
      rec.argSize = n;
      next += n + len;
    } else {
      for (let lines = arg === 'line' ? 1 : 2; lines > 0 && next < end; next++) if (b[next] === 0x0a) lines--;
    }
    if (next > end) break;
    ops.push(rec);
    p = next;
    if (op === 0x2e) {
      pickles++;
      if (b[p] !== 0x80) break;
    }
  }
  return ops;
}

/** The pickle bytes of a .pth: [start, end) and, for a zip, the record whose CRC must be re-stamped. */
function pickleRegion(b: Uint8Array): { start: number; end: number; rec: ZipRecord | null; maxPickles: number } | null {
  if (isZip(b)) {
    const rec = zipRecords(b).find((r) => r.name.endsWith('data.pkl') && r.method === 0);
    const off = rec ? dataOffset(b, rec) : null;
    return rec && off !== null ? { start: off, end: off + rec.compressedSize, rec, maxPickles: 1 } : null;
  }
  return b[0] === 0x80 ? { start: 0, end: b.length, rec: null, maxPickles: 5 } : null;
}

function restampCrc(out: Uint8Array, region: { start: number; end: number; rec: ZipRecord | null }): void {
  if (!region.rec) return;
  const crc = crc32(out.subarray(region.start, region.end));
  const dv = new DataView(out.buffer);
  dv.setUint32(region.rec.local + ZIP_FIELDS.crc[0], crc, true);
  dv.setUint32(region.rec.central + ZIP_FIELDS.crc[1], crc, true);
}

/** Opcodes a hostile pickle would use: calls, globals, memo tricks, big integers, containers. */
const INTERESTING_OPS = [0x28, 0x29, 0x52, 0x63, 0x93, 0x8a, 0x8b, 0x58, 0x42, 0x71, 0x68, 0x2e, 0x62, 0x51, 0x4a, 0x4b, 0x4d, 0x85, 0x86, 0x87, 0x5d, 0x7d, 0x65, 0x73, 0x75, 0x30, 0x31, 0x32, 0x4e, 0xff];

function pickleMutation(choose: (ops: Op[], rng: SeededRandom) => Op | undefined, edit: (out: Uint8Array, op: Op, rng: SeededRandom, region: { end: number }) => string): Mutation {
  return {
    kinds: ['pth'],
    apply(b, rng, detail) {
      const region = pickleRegion(b);
      if (!region) return null;
      const op = choose(walkPickle(b, region.start, region.end, region.maxPickles), rng);
      if (!op) return null;
      const out = b.slice();
      const what = edit(out, op, rng, region);
      restampCrc(out, region);
      detail(`${region.rec ? region.rec.name : 'legacy pickle'} @${op.pos - region.start}: ${what}`);
      return out;
    },
  };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

export const pthMutations: Record<string, Mutation> = {
  zipEntrySize: zipFieldEdit(['compressedSize', 'size'], (rng, old, fileSize) => pick(rng, [0, 1, old + 1, Math.max(0, old - 1), old * 1000, fileSize, 0x7fffffff, 0xffffffff])),
  zipEntryHeader: zipFieldEdit(['flags', 'method', 'crc', 'nameLength', 'extraLength'], (rng, old) => pick(rng, [0, 1, 8, 12, 14, 99, old ^ 1, old + 1, 0xffff, rng.int(0, 0xffffffff)])),
  pickleOpcode: pickleMutation(
    (ops, rng) => (ops.length ? pick(rng, ops) : undefined),
    (out, op, rng) => {
      const v = pick(rng, INTERESTING_OPS);
      out[op.pos] = v;
      return `opcode ${hex(op.op)} -> ${hex(v)}`;
    },
  ),
  pickleSize: pickleMutation(
    (ops, rng) => {
      const sized = ops.filter((o) => o.argSize === 1 || o.argSize === 2 || o.argSize === 4);
      return sized.length ? pick(rng, sized) : undefined;
    },
    (out, op, rng, region) => {
      const dv = new DataView(out.buffer);
      const size = op.argSize;
      const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
      const old = size === 1 ? out[op.argPos] : size === 2 ? dv.getUint16(op.argPos, true) : dv.getUint32(op.argPos, true);
      const v = pick(rng, [0, 1, max, max >>> 1, (max >>> 1) + 1, old + 1, Math.max(0, old - 1), Math.min(max, region.end - op.argPos), Math.min(max, 1 << 20)]);
      if (size === 1) out[op.argPos] = v;
      else if (size === 2) dv.setUint16(op.argPos, v, true);
      else dv.setUint32(op.argPos, v, true);
      return `opcode ${hex(op.op)} argument ${old} -> ${v}`;
    },
  ),
};
