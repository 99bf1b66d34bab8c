import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DicomParseError, parseDicomBytes, TS_EXPLICIT_LE } from './parseDicomBytes';
import { writeSyntheticSeries } from './testing/writeSyntheticSeries';

const root = mkdtempSync(path.join(os.tmpdir(), 'med3d-parse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function sampleFile(): Promise<Uint8Array> {
  const [f] = await writeSyntheticSeries(root, { rows: 4, columns: 6, slices: 1 });
  return readFileSync(f);
}

/** Offset of the first data set element after the (0002,xxxx) file meta group. */
function endOfMeta(b: Uint8Array): number {
  let p = 132;
  while (b[p] === 0x02 && b[p + 1] === 0x00) {
    const vr = String.fromCharCode(b[p + 4], b[p + 5]);
    if (['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr)) p += 12 + (b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24));
    else p += 8 + (b[p + 6] | (b[p + 7] << 8));
  }
  return p;
}

describe('parseDicomBytes: file layouts', () => {
  it('Part 10 file with preamble', async () => {
    const p = parseDicomBytes(await sampleFile());
    expect(p.hasPreamble).toBe(true);
    expect(p.transferSyntaxUID).toBe(TS_EXPLICIT_LE);
    expect(p.dataSet.uint16('x00280010')).toBe(4);
  });

  it('file meta group without the 128-byte preamble', async () => {
    const p = parseDicomBytes((await sampleFile()).subarray(132));
    expect(p.hasPreamble).toBe(false);
    expect(p.transferSyntaxInferred).toBe(false);
    expect(p.dataSet.uint16('x00280011')).toBe(6);
  });

  it('raw data set (no preamble, no meta): encoding inferred from the first element', async () => {
    const b = await sampleFile();
    const p = parseDicomBytes(b.subarray(endOfMeta(b)));
    expect(p.transferSyntaxInferred).toBe(true);
    expect(p.transferSyntaxUID).toBe(TS_EXPLICIT_LE);
    expect(p.dataSet.string('x00080060')).toBe('CT');
  });

  it('header-only parse stops before Pixel Data', async () => {
    const p = parseDicomBytes(await sampleFile(), { headerOnly: true });
    expect(p.headerOnly).toBe(true);
    expect(p.dataSet.uint16('x00280010')).toBe(4);
  });

  it.each([
    ['too small', new Uint8Array(4), /too small/],
    ['not DICOM', new TextEncoder().encode('x'.repeat(300)), /not a DICOM file/],
    ['one stray byte before a raw data set', new Uint8Array([0x01, 0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x0a, ...new Array(200).fill(0x20)]), /not a DICOM file/],
  ])('%s → DicomParseError', (_n, bytes, re) => {
    expect(() => parseDicomBytes(bytes)).toThrow(DicomParseError);
    expect(() => parseDicomBytes(bytes)).toThrow(re);
  });

  it('truncated file → "truncated" in words', async () => {
    const b = await sampleFile();
    expect(() => parseDicomBytes(b.subarray(0, b.length - 10))).toThrow(/truncated/);
  });
});
