import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { affineFromGeometry } from '../../geometry/affine';
import { VolumeReadError } from '../errors';
import { encodeNifti } from './encodeNifti';
import { gzip } from './gzip';
import { readNifti } from './readNifti';

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-nifti-err-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = encodeNifti({
  data: Int16Array.from({ length: 4 * 4 * 4 }, (_, i) => i),
  dims: [4, 4, 4],
  spacing: [1, 1, 1],
  affine: affineFromGeometry([1, 1, 1], [0, 0, 0]),
  meta: { warnings: [] },
});

function variant(edit: (b: Uint8Array, dv: DataView) => Uint8Array | void): Uint8Array {
  const b = good.slice();
  return edit(b, new DataView(b.buffer)) ?? b;
}

describe('bad NIfTI files give one-line errors naming the file and the cause', () => {
  it.each([
    ['truncated voxel data', 'short.nii', good.subarray(0, 352 + 50), /truncated image data: expected 128 bytes at offset 352, found 50/],
    ['truncated gzip', 'short.nii.gz', gzip(good).subarray(0, 60), /truncated gzip|corrupt gzip|truncated/],
    ['header shorter than 348 bytes', 'tiny.nii', good.subarray(0, 200), /truncated NIfTI-1 header/],
    ['no NIfTI magic (Analyze)', 'analyze.nii', variant((b) => void b.fill(0, 344, 348)), /no NIfTI magic/],
    ['unsupported datatype', 'complex.nii', variant((_b, dv) => { dv.setInt16(70, 32, true); dv.setInt16(72, 64, true); }), /complex64 \(code 32\) is not supported/],
    ['unknown datatype', 'weird.nii', variant((_b, dv) => void dv.setInt16(70, 999, true)), /unknown NIfTI datatype code 999/],
    ['bitpix mismatch', 'bitpix.nii', variant((_b, dv) => void dv.setInt16(72, 8, true)), /bitpix 8 does not match datatype int16/],
    ['zero-size dimension', 'empty.nii', variant((_b, dv) => void dv.setInt16(44, 0, true)), /invalid dim\[2\] = 0/],
    ['invalid dim[0]', 'dim0.nii', variant((_b, dv) => void dv.setInt16(40, 9, true)), /invalid dim\[0\] = 9/],
    ['non-finite intercept', 'nan.nii', variant((_b, dv) => { dv.setFloat32(112, 2, true); dv.setFloat32(116, NaN, true); }), /scl_inter is NaN/],
  ] as const)('%s', async (_what, name, bytes, cause) => {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const t0 = Date.now();
    const err = await readNifti(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeReadError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`cannot read ${file}: `)).toBe(true);
    expect(msg).toMatch(cause);
    expect(msg).not.toContain('\n');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a .hdr without its .img, and an .img without its .hdr', async () => {
    const hdr = variant((b, dv) => {
      b.set([0x6e, 0x69, 0x31, 0], 344); // ni1
      dv.setFloat32(108, 0, true);
    }).subarray(0, 348);
    writeFileSync(path.join(dir, 'lonely.hdr'), hdr);
    await expect(readNifti(path.join(dir, 'lonely.hdr'))).rejects.toThrow(/lonely\.hdr: NIfTI pair header .* without its \.img/);
    writeFileSync(path.join(dir, 'orphan.img'), new Uint8Array(128));
    await expect(readNifti(path.join(dir, 'orphan.img'))).rejects.toThrow(/orphan\.img: image file of a NIfTI pair without its \.hdr/);
    // With both halves present the pair loads.
    writeFileSync(path.join(dir, 'lonely.img'), good.subarray(352));
    const v = await readNifti(path.join(dir, 'lonely.img'));
    expect(Array.from(v.data.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });

  it('scl_slope 0 or NaN means unscaled; a real slope scales', async () => {
    for (const [slope, inter, first] of [[0, 5, 1], [NaN, 0, 1], [2, -3, -1]] as const) {
      const file = path.join(dir, `scale-${slope}.nii`);
      writeFileSync(file, variant((_b, dv) => { dv.setFloat32(112, slope, true); dv.setFloat32(116, inter, true); }));
      const v = await readNifti(file);
      expect(v.data[1]).toBe(first);
    }
  });
});

describe('less common datatypes', () => {
  function withData(code: number, bitpix: number, payload: Uint8Array): Uint8Array {
    const b = new Uint8Array(352 + payload.length);
    b.set(good.subarray(0, 352));
    const dv = new DataView(b.buffer);
    dv.setInt16(42, 2, true); // dims 2x1x1
    dv.setInt16(44, 1, true);
    dv.setInt16(46, 1, true);
    dv.setInt16(70, code, true);
    dv.setInt16(72, bitpix, true);
    b.set(payload, 352);
    return b;
  }

  it('RGB24 becomes grey (luma) with a warning', async () => {
    const file = path.join(dir, 'rgb.nii');
    writeFileSync(file, withData(128, 24, new Uint8Array([255, 0, 0, 10, 20, 30])));
    const v = await readNifti(file);
    expect(v.meta.datatype).toBe('rgb24');
    expect(v.data[0]).toBeCloseTo(0.299 * 255, 4);
    expect(v.data[1]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 4);
    expect(v.meta.warnings.join(' ')).toMatch(/RGB24 colour image converted to grey/);
  });

  it('int64 labels that fit are narrowed to a 32-bit or smaller integer array', async () => {
    const file = path.join(dir, 'i64.nii');
    const payload = new Uint8Array(new BigInt64Array([-5n, 70000n]).buffer);
    writeFileSync(file, withData(1024, 64, payload));
    const v = await readNifti(file);
    expect(v.data).toBeInstanceOf(Int32Array);
    expect(Array.from(v.data)).toEqual([-5, 70000]);
  });
});

describe('gzip variants', () => {
  it('a multi-member .nii.gz (two equal-size members, as pigz/cat can make) reads completely', async () => {
    const half = good.length / 2;
    const file = path.join(dir, 'multi.nii.gz');
    const a = gzip(good.subarray(0, half));
    const b = gzip(good.subarray(half));
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    writeFileSync(file, both);
    const v = await readNifti(file);
    expect(Array.from(v.data)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });
});
