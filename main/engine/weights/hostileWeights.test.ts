import { constants, deflateRawSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parsePth } from './readPth';
import { loadWeights, parseWeights } from './loadWeights';
import { CHECKPOINT_FORMAT } from './checkpoint';
import { encodeSafetensors } from './safetensors';
import { WeightsError } from './WeightsError';
import { unpickle, type UnpickleHooks } from './pickle/unpickle';
import { PySet } from './pickle/pyTypes';
import { crc32 } from './zip/crc32';
import { f32, legacyPth, objectPickle, zipPth, type SynthTensor } from './testing/synthPth';

/** Hostile checkpoints made from small valid ones: each is refused with one line, fast, without big allocations. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-weights-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => void delete process.env.MED3D_MAX_CHECKPOINT_BYTES);

const none: UnpickleHooks = { isAllowed: () => false, call: () => null };
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

function refusal(bytes: Uint8Array, file = 'evil.pth'): string {
  let err: unknown;
  try {
    parsePth(bytes, file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WeightsError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${file}: `)).toBe(true);
  expect(msg).not.toContain('\n');
  return msg;
}

const tensor = (over: Partial<SynthTensor>): SynthTensor => ({ name: 'module.w', key: '0', cls: 'FloatStorage', numel: 4, offset: 0, size: [4], stride: [1], ...over });
const zipWith = (t: SynthTensor, storage = f32([1, 2, 3, 4])): Uint8Array => zipPth(objectPickle([t], { legacy: false }), { [t.key]: storage });

describe('pickle interpreter: hostile opcodes', () => {
  it('a 256 KiB LONG4 integer decodes in linear time (was quadratic: 39 s)', () => {
    const n = 256 * 1024;
    const body = new Uint8Array(n).fill(0x5a);
    const bytes = Uint8Array.from([0x80, 2, 0x8b, ...le32(n), ...body, 0x2e]);
    const t0 = performance.now();
    const v = unpickle(bytes, 0, none).value as bigint;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(v % 256n).toBe(0x5an);
    expect(v.toString(16).length).toBe(2 * n);
  });

  it('negative LONG1 values keep their sign (two\'s complement)', () => {
    expect(unpickle(Uint8Array.from([0x8a, 2, 0x00, 0xff, 0x2e]), 0, none).value).toBe(-256);
  });

  it('a LONG4 over 1 MiB is refused', () => {
    const n = (1 << 20) + 1;
    const bytes = new Uint8Array(n + 7);
    bytes.set([0x8b, ...le32(n)], 0);
    bytes[n + 5] = 0x2e;
    expect(() => unpickle(bytes, 0, none)).toThrow(/refusing a 1048577-byte integer/);
  });

  it('200,000 set items are added without blowing the call stack', () => {
    const items = Array.from({ length: 200_000 }, () => [0x4b, 1]).flat();
    const v = unpickle(Uint8Array.from([0x8f, 0x28, ...items, 0x90, 0x2e]), 0, none).value as PySet;
    expect(v.items.length).toBe(200_000);
  });

  it('MARK nested 20,000 deep is refused, not followed into memory exhaustion', () => {
    expect(() => unpickle(new Uint8Array(20_001).fill(0x28), 0, none)).toThrow(/nested more than 10000 levels deep/);
  });

  it('a \\U escape beyond U+10FFFF is a pickle error, not "Invalid code point"', () => {
    const line = new TextEncoder().encode('\\U7fffffff\n');
    expect(() => unpickle(Uint8Array.from([0x56, ...line, 0x2e]), 0, none)).toThrow(/escape \\U7fffffff is not a Unicode code point/);
  });
});

describe('tensor views checked against their storage', () => {
  it('a 16384×16384 stride-0 tensor over a 1-element storage is refused, naming the key (no 1 GiB allocation)', () => {
    const bytes = zipWith(tensor({ numel: 1, size: [16384, 16384], stride: [0, 0] }), f32([1]));
    expect(bytes.length).toBeLessThan(1024);
    expect(refusal(bytes)).toMatch(/tensor 'module\.w' has 268435456 elements but its storage '0' holds 1 \(a stride-0 or overlapping view; refusing to expand it\)/);
  });

  it.each([
    ['negative storage offset', tensor({ offset: -2, size: [2] }), /tensor 'module\.w' has a negative storage offset -2/],
    ['negative stride', tensor({ stride: [-1] }), /tensor 'module\.w' has a negative size or stride/],
    ['sizes whose product overflows', tensor({ size: [2 ** 31, 2 ** 31, 2 ** 31], stride: [0, 0, 0] }), /tensor 'module\.w' has size \[2147483648, 2147483648, 2147483648\], too many elements/],
    ['a view past the storage end', tensor({ offset: 3, size: [2] }), /tensor 'module\.w' needs element 4 of storage '0', which holds 4/],
    ['a negative storage size', tensor({ numel: -4 }), /storage '0' has negative size -4/],
  ])('%s', (_what, t, cause) => {
    expect(refusal(zipWith(t))).toMatch(cause);
  });

  it('a negative legacy storage view offset is refused', () => {
    const bytes = legacyPth(objectPickle([tensor({})], { legacy: true }), [['0', f32([1, 2, 3, 4]), 4]]);
    // Replace the view metadata None with (key, -1, 4): patch the pickle's NONE after the element count.
    const evil = objectPickleWithView(-1);
    expect(refusal(legacyPth(evil, [['0', f32([1, 2, 3, 4]), 4]]))).toMatch(/storage view of '0' has a negative offset or size/);
    expect(parsePth(bytes, 'ok.pth').stateDict.size).toBe(1);
  });
});

/** A legacy object pickle whose only storage carries view metadata (key, offset, 4). */
function objectPickleWithView(offset: number): Uint8Array {
  const ok = objectPickle([tensor({})], { legacy: true });
  // The legacy builder writes NONE (0x4e) as view metadata right before TUPLE (0x74) BINPERSID (0x51).
  const at = ok.findIndex((b, i) => b === 0x4e && ok[i + 1] === 0x74 && ok[i + 2] === 0x51);
  const view = [0x58, ...le32(1), 0x30, 0x4a, ...le32(offset >>> 0), 0x4b, 4, 0x87]; // ('0', offset, 4)
  return Uint8Array.from([...ok.subarray(0, at), ...view, ...ok.subarray(at + 1)]);
}

describe('zip containers: bombs and lies', () => {
  /** A zip whose storage record is deflated: `claimed` is the size written in both headers. */
  function deflatedPth(payload: Uint8Array, claimed: number, numel: number, comp = deflateRawSync(payload)): Uint8Array {
    // Written by hand (local headers, data, central directory) so the headers can lie.
    const entries = [
      { name: 'arch/data.pkl', data: objectPickle([tensor({ numel, size: [numel] })], { legacy: false }), method: 0, size: 0 },
      { name: 'arch/data/0', data: comp, method: 8, size: claimed, crc: crc32(payload) },
    ];
    const parts: Uint8Array[] = [];
    const central: Uint8Array[] = [];
    let off = 0;
    for (const e of entries) {
      const name = new TextEncoder().encode(e.name);
      const size = e.method ? e.size : e.data.length;
      const crc = e.method ? e.crc! : crc32(e.data);
      const local = Uint8Array.from([...le32(0x04034b50), 20, 0, 0, 0, e.method, 0, 0, 0, 0, 0, ...le32(crc), ...le32(e.data.length), ...le32(size), name.length, 0, 0, 0, ...name]);
      central.push(Uint8Array.from([...le32(0x02014b50), 20, 0, 20, 0, 0, 0, e.method, 0, 0, 0, 0, 0, ...le32(crc), ...le32(e.data.length), ...le32(size), name.length, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...le32(off), ...name]));
      parts.push(local, e.data);
      off += local.length + e.data.length;
    }
    const cd = Buffer.concat(central);
    const eocd = Uint8Array.from([...le32(0x06054b50), 0, 0, 0, 0, entries.length, 0, entries.length, 0, ...le32(cd.length), ...le32(off), 0, 0]);
    return Buffer.concat([...parts, cd, eocd]);
  }

  it('a deflated record that inflates beyond its declared size is stopped at that size', () => {
    const msg = refusal(deflatedPth(new Uint8Array(8 << 20), 64, 16));
    expect(msg).toMatch(/corrupt zip: record 'arch\/data\/0' inflates to more than 64 bytes/);
  });

  it('a record claiming more than deflate can produce from its compressed bytes is refused before inflating', () => {
    expect(refusal(deflatedPth(new Uint8Array(64), 10 << 20, (10 << 20) / 4))).toMatch(/claims 10485760 bytes from \d+ compressed bytes, more than deflate can produce/);
  });

  it('a 0.7 MB zip bomb (one storage of 666 MB zeros, honestly declared) is refused before inflating', () => {
    // Full-flush deflate segments are self-contained, so one compressed 64 MiB of zeros can be repeated.
    const seg = deflateRawSync(new Uint8Array(64 << 20), { finishFlush: constants.Z_FULL_FLUSH });
    const n = 10;
    const comp = Buffer.concat([...Array<Uint8Array>(n).fill(seg), deflateRawSync(new Uint8Array(0))]);
    const bytes = deflatedPth(new Uint8Array(0), n * (64 << 20), (n * (64 << 20)) / 4, comp);
    expect(bytes.length).toBeLessThan(1 << 20);
    const t0 = performance.now();
    expect(refusal(bytes)).toMatch(/zip archive declares 671088640 bytes inflated from \d+ compressed bytes \(over 100:1, a zip bomb\)/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('a deflated storage record larger than its storage is not inflated for nothing', () => {
    const payload = f32(Array.from({ length: 16 }, (_, i) => i));
    expect(refusal(deflatedPth(payload, payload.length, 4))).toMatch(/storage record 'arch\/data\/0' inflates to 64 bytes but its storage needs 16; refusing to inflate the rest/);
  });

  it('an honest deflated record still reads', () => {
    const payload = f32(Array.from({ length: 16 }, (_, i) => i));
    const r = parsePth(deflatedPth(payload, payload.length, 16), 'ok.pth');
    expect(Array.from(r.stateDict.get('w')!.data as Float32Array)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('overlapping records (one compressed kernel shared by many records) are refused', () => {
    const ok = zipWith(tensor({}));
    // Point the second central entry at the first record's local header.
    const c = ok.slice();
    const dv = new DataView(c.buffer);
    let p = dv.getUint32(c.length - 22 + 16, true);
    p += 46 + dv.getUint16(p + 28, true) + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
    dv.setUint32(p + 42, 0, true);
    expect(refusal(c)).toMatch(/corrupt zip: records '.*' and '.*' overlap/);
  });

  it('MED3D_MAX_CHECKPOINT_BYTES refuses a larger file before reading it', async () => {
    const file = path.join(dir, 'big.pth');
    writeFileSync(file, zipWith(tensor({})));
    await expect(loadWeights(file)).rejects.toThrow(/unknown|architecture|tensor|state/i);
    process.env.MED3D_MAX_CHECKPOINT_BYTES = '100';
    await expect(loadWeights(file)).rejects.toThrow(new RegExp(`^${file}: file size \\(\\d+ bytes\\) exceeds the limit on checkpoint size, 100 bytes \\(raise it with MED3D_MAX_CHECKPOINT_BYTES\\)$`));
  });
});

describe('Med3D checkpoints (.m3d): metadata', () => {
  it('metadata JSON nested 100,000 deep is refused at parse time (printing it would overflow the stack)', () => {
    const spec = { backbone: { depth: 10, shortcut: 'B', baseWidth: 64, inChannels: 1, preActivation: false }, head: { kind: 'none' } };
    const meta = `{"createdAt":"2026-01-01","h":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const bytes = Buffer.concat(encodeSafetensors(new Map(), { format: 'pt', 'med3d.format': CHECKPOINT_FORMAT, 'med3d.spec': JSON.stringify(spec), 'med3d.meta': meta }));
    expect(() => parseWeights(bytes, 'deep.m3d')).toThrow(/^deep\.m3d: corrupt checkpoint: metadata 'med3d\.meta' is nested more than 64 levels deep$/);
  });
});
