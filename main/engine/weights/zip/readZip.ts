import { inflateCapped } from '../../../util/inflateCapped';
import { checkLimit } from '../../../util/readLimits';
import { crc32 } from './crc32';

/**
 * Minimal zip reader for checkpoint archives: walks the central directory (zip64 aware) and hands
 * out zero-copy views of stored records. Deflated records (not written by torch.save, but by
 * re-zipping tools) are inflated with zlib, never past the size the directory declares, and only
 * after that size is checked against what deflate can produce from the compressed bytes and against
 * MED3D_MAX_DECOMPRESSED_BYTES. Records may not overlap (the trick of zip bombs that reuse one
 * compressed kernel for many records).
 */
export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

class ZipFormatError extends Error {}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function bigToNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`corrupt zip: ${what} ${v} out of range`);
  return Number(v);
}

export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let eocd = -1;
  for (let p = n - 22; p >= Math.max(0, n - 22 - 0xffff); p--) {
    if (dv.getUint32(p, true) === SIG_EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('truncated or corrupt zip: no end-of-central-directory record');
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_EOCD64_LOCATOR) throw new ZipFormatError('corrupt zip: zip64 locator missing');
    const e64 = bigToNumber(dv.getBigUint64(loc + 8, true), 'zip64 record offset');
    if (e64 + 56 > n || dv.getUint32(e64, true) !== SIG_EOCD64) throw new ZipFormatError('corrupt zip: zip64 end record missing');
    count = bigToNumber(dv.getBigUint64(e64 + 32, true), 'entry count');
    cdSize = bigToNumber(dv.getBigUint64(e64 + 40, true), 'directory size');
    cdOffset = bigToNumber(dv.getBigUint64(e64 + 48, true), 'directory offset');
  }
  if (cdOffset + cdSize > n) throw new ZipFormatError(`truncated zip: central directory ends at byte ${cdOffset + cdSize}, file has ${n}`);
  const entries = new Map<string, ZipEntry>();
  const dec = new TextDecoder();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > n || dv.getUint32(p, true) !== SIG_CENTRAL) throw new ZipFormatError(`corrupt zip: bad central directory entry ${i} at byte ${p}`);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > n) throw new ZipFormatError(`corrupt zip: central directory entry ${i} overruns the file`);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: only the fields that overflowed are present, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const read = (): number => {
          const v = bigToNumber(dv.getBigUint64(q, true), 'zip64 field');
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = read();
        if (compressedSize === 0xffffffff) compressedSize = read();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = read();
      }
      e += 4 + len;
    }
    if (entries.has(name)) throw new ZipFormatError(`corrupt zip: record '${name}' appears twice`);
    entries.set(name, { name, method, crc32: crc, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  const spans = [...entries.values()].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1]!;
    if (spans[i]!.localHeaderOffset < prev.localHeaderOffset + 30 + prev.compressedSize) {
      throw new ZipFormatError(`corrupt zip: records '${prev.name}' and '${spans[i]!.name}' overlap`);
    }
  }
  // Real checkpoints (float weights) barely compress; an archive that claims to inflate beyond this
  // ratio overall is a zip bomb, refused before anything is inflated.
  let packed = 0;
  let unpacked = 0;
  for (const e of entries.values()) if (e.method !== 0) (packed += e.compressedSize), (unpacked += e.size);
  if (unpacked > MAX_ARCHIVE_RATIO * packed + (64 << 20)) {
    throw new ZipFormatError(`zip archive declares ${unpacked} bytes inflated from ${packed} compressed bytes (over ${MAX_ARCHIVE_RATIO}:1, a zip bomb)`);
  }
  return entries;
}

/** Deflate cannot expand data by more than about 1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;
/** Largest overall inflation ratio accepted for an archive's deflated records (beyond the first 64 MiB). */
const MAX_ARCHIVE_RATIO = 100;

/** Contents of one record: a view into `bytes` when stored, a new array when deflated. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, opts: { verifyCrc?: boolean } = {}): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = entry.localHeaderOffset;
  if (h + 30 > bytes.length || dv.getUint32(h, true) !== SIG_LOCAL) {
    throw new ZipFormatError(`corrupt zip: record '${entry.name}' has no local header at byte ${h}`);
  }
  const start = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) {
    throw new ZipFormatError(`truncated zip: record '${entry.name}' ends at byte ${end}, file has ${bytes.length}`);
  }
  let data: Uint8Array;
  if (entry.method === 0) data = bytes.subarray(start, end);
  else if (entry.method === 8) {
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new ZipFormatError(`corrupt zip: record '${entry.name}' claims ${entry.size} bytes from ${entry.compressedSize} compressed bytes, more than deflate can produce`);
    }
    checkLimit('maxDecompressedBytes', entry.size, `zip record '${entry.name}'`);
    try {
      data = inflateCapped(bytes.subarray(start, end), entry.size, `record '${entry.name}'`);
    } catch (err) {
      throw new ZipFormatError(`corrupt zip: ${(err as Error).message}`);
    }
  } else throw new ZipFormatError(`unsupported zip compression method ${entry.method} for record '${entry.name}'`);
  if (data.length !== entry.size) throw new ZipFormatError(`corrupt zip: record '${entry.name}' has ${data.length} bytes, directory says ${entry.size}`);
  if (opts.verifyCrc !== false && crc32(data) !== entry.crc32) {
    throw new ZipFormatError(`corrupt zip: CRC mismatch in record '${entry.name}'`);
  }
  return data;
}
