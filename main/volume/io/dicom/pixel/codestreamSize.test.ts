import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../../test/sharedDir';
import { loadVolume } from '../../loadVolume';
import { codestreamSize } from './codestreamSize';

const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

describe('codestreamSize: the size a compressed frame declares, before decoding', () => {
  it('JPEG: SOF after other segments (APP0, DQT)', () => {
    const app0 = [0xff, 0xe0, ...u16(6), 1, 2, 3, 4];
    const sof = [0xff, 0xc1, ...u16(11), 12, ...u16(300), ...u16(200), 1, 1, 0x11, 0];
    expect(codestreamSize(Uint8Array.from([0xff, 0xd8, ...app0, ...sof]))).toEqual({ width: 200, height: 300 });
  });

  it('JPEG-LS SOF55', () => {
    expect(codestreamSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xf7, ...u16(11), 16, ...u16(64), ...u16(32), 1, 1, 0x11, 0]))).toEqual({ width: 32, height: 64 });
  });

  it('JPEG 2000 SIZ, image offset subtracted', () => {
    const siz = [0xff, 0x4f, 0xff, 0x51, ...u16(41), ...u16(0), ...u32(520), ...u32(300), ...u32(8), ...u32(0), ...u32(512), ...u32(300), 0, 0, 0, 0, 0, 0, 0, 0, ...u16(1)];
    expect(codestreamSize(Uint8Array.from(siz))).toEqual({ width: 512, height: 300 });
  });

  it('unknown or truncated streams: undefined', () => {
    expect(codestreamSize(Uint8Array.from([1, 2, 3, 4]))).toBeUndefined();
    expect(codestreamSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeUndefined();
  });
});

const has = sharedAvailable('codestream size check on a real JPEG 2000 file');
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-codestream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!has)('a codestream declaring a giant image is refused before the decoder allocates it', () => {
  it('MR_small_jp2klossless.dcm with SIZ set to 60000×60000', async () => {
    const b = Buffer.from(readFileSync(path.join(DATA_DIR, 'dicom/compressed/MR_small_jp2klossless.dcm')));
    const siz = b.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
    expect(siz).toBeGreaterThan(0);
    b.writeUInt32BE(60000, siz + 8);
    b.writeUInt32BE(60000, siz + 12);
    const file = path.join(dir, 'giant.dcm');
    writeFileSync(file, b);
    await expect(loadVolume(file)).rejects.toThrow(/JPEG 2000 Lossless codestream declares 60000×60000 pixels but the header says 64×64/);
  });

  it('JPGExtended.dcm with Rows and Columns raised to 20000: the JS decoder is not asked to scale up to 400 M pixels', async () => {
    const b = Buffer.from(readFileSync(path.join(DATA_DIR, 'dicom/compressed/JPGExtended.dcm')));
    for (const el of [0x10, 0x11]) {
      const at = b.indexOf(Buffer.from([0x28, 0x00, el, 0x00, 0x55, 0x53, 0x02, 0x00]));
      expect(at).toBeGreaterThan(0);
      b.writeUInt16LE(20000, at + 8);
    }
    const file = path.join(dir, 'scaled.dcm');
    writeFileSync(file, b);
    await expect(loadVolume(file)).rejects.toThrow(/JPEG Extended codestream declares \d+×\d+ pixels but the header says 20000×20000/);
  });
});
