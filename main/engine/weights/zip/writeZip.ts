import { crc32 } from './crc32';

/**
 * Write a zip of stored (uncompressed) records whose data start at a multiple of `align` bytes,
 * the layout torch.save produces (it pads the local header's extra field with an 'FB' block), so
 * that readers can map tensors in place. Returned as chunks for streaming / atomic writes.
 * zip32 only: archives over 4 GiB are refused.
 */
export interface ZipRecord {
  name: string;
  data: Uint8Array;
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const MAX32 = 0xffffffff;

export function buildStoredZip(records: ZipRecord[], align = 64): Uint8Array[] {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const r of records) {
    const name = enc.encode(r.name);
    const crc = crc32(r.data);
    const base = offset + 30 + name.length;
    const pad = align > 1 ? (align - ((base + 4) % align)) % align : 0;
    const extraLen = align > 1 ? 4 + pad : 0;
    if (offset + 30 + name.length + extraLen + r.data.length > MAX32) throw new Error('archive exceeds 4 GiB (zip64 not supported by this writer)');
    const lh = new Uint8Array(30 + name.length + extraLen);
    const dv = new DataView(lh.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true); // version needed
    dv.setUint16(6, 0, true); // flags
    dv.setUint16(8, 0, true); // stored
    dv.setUint16(10, 0, true); // time
    dv.setUint16(12, DOS_DATE_1980_01_01, true);
    dv.setUint32(14, crc, true);
    dv.setUint32(18, r.data.length, true);
    dv.setUint32(22, r.data.length, true);
    dv.setUint16(26, name.length, true);
    dv.setUint16(28, extraLen, true);
    lh.set(name, 30);
    if (extraLen) {
      dv.setUint16(30 + name.length, 0x4246, true); // 'FB' padding block, as PyTorch writes it
      dv.setUint16(32 + name.length, pad, true);
      lh.fill(0x5a, 34 + name.length); // 'Z'
    }
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // version made by
    cv.setUint16(6, 20, true); // version needed
    cv.setUint16(8, 0, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, DOS_DATE_1980_01_01, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, r.data.length, true);
    cv.setUint32(24, r.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    ch.set(name, 46);
    chunks.push(lh, r.data);
    central.push(ch);
    offset += lh.length + r.data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  if (records.length > 0xffff || offset + cdSize > MAX32) throw new Error('archive exceeds zip32 limits (zip64 not supported by this writer)');
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, records.length, true);
  ev.setUint16(10, records.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return [...chunks, ...central, eocd];
}
