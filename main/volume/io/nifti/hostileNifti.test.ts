import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LIMIT_ENV } from '../../../util/readLimits';
import { affineFromGeometry } from '../../geometry/affine';
import { VolumeReadError } from '../errors';
import { encodeNifti } from './encodeNifti';
import { gzip } from './gzip';
import { readNifti } from './readNifti';

/** Hostile NIfTI files, each made from a small valid one: refused with one line, or read correctly. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-nifti-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const v of Object.values(LIMIT_ENV)) delete process.env[v];
});

const good = encodeNifti({
  data: Int16Array.from({ length: 4 * 4 * 4 }, (_, i) => i - 10),
  dims: [4, 4, 4],
  spacing: [1, 1, 1],
  affine: affineFromGeometry([1, 1, 1], [0, 0, 0]),
  meta: { warnings: [] },
});

function variant(edit: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = good.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

async function refusal(file: string): Promise<string> {
  const err = await readNifti(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(VolumeReadError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`cannot read ${file}: `)).toBe(true);
  expect(msg).not.toContain('\n');
  return msg;
}

/**
 * One gzip member holding `content` then `zeroChunks` × 64 MiB of zeros, built without compressing
 * gigabytes: a full-flush deflate segment is self-contained, so one compressed 64 MiB segment can
 * be repeated. CRC and length are correct, so only the amount of data makes the file hostile.
 */
function gzipWithTrailingZeros(content: Uint8Array, zeroChunks: number): Uint8Array {
  const zeros = new Uint8Array(64 << 20);
  const head = deflateRawSync(content, { finishFlush: constants.Z_FULL_FLUSH });
  const seg = deflateRawSync(zeros, { finishFlush: constants.Z_FULL_FLUSH });
  const tail = deflateRawSync(new Uint8Array(0));
  let crc = crc32(content);
  for (let i = 0; i < zeroChunks; i++) crc = crc32(zeros, crc);
  const size = (content.length + zeroChunks * zeros.length) % 2 ** 32;
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc >>> 0, true);
  new DataView(trailer.buffer).setUint32(4, size, true);
  return Buffer.concat([Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), head, ...Array<Uint8Array>(zeroChunks).fill(seg), tail, trailer]);
}

describe('hostile NIfTI headers give one-line errors', () => {
  it.each([
    ['vox_offset 0 in a single file', 0, /invalid vox_offset 0: a single-file NIfTI-1 stores its voxels at byte 352 or later/],
    ['vox_offset NaN', NaN, /invalid vox_offset NaN/],
    ['negative vox_offset', -1000, /invalid vox_offset -1000/],
    ['vox_offset inside the header', 100, /invalid vox_offset 100/],
    ['vox_offset beyond the file', 1e9, /vox_offset 1000000000 is beyond the end of the file \(480 bytes\)/],
  ])('%s', async (_what, voxOffset, cause) => {
    const file = write(`vo-${String(voxOffset)}.nii`, variant((_b, dv) => dv.setFloat32(108, voxOffset, true)));
    expect(await refusal(file)).toMatch(cause);
  });

  it('a pair header with a negative vox_offset', async () => {
    const hdr = variant((b, dv) => {
      b.set([0x6e, 0x69, 0x31, 0], 344); // ni1
      dv.setFloat32(108, -16, true);
    }).subarray(0, 348);
    write('pair.hdr', hdr);
    write('pair.img', good.subarray(352));
    expect(await refusal(path.join(dir, 'pair.hdr'))).toMatch(/invalid vox_offset -16 \(must be 0 or more/);
  });

  it('dims declaring 10^13 voxels in a 480-byte file are refused by the voxel limit, before any allocation', async () => {
    const file = write('huge-dims.nii.gz', gzip(variant((_b, dv) => [42, 44, 46].forEach((o) => dv.setInt16(o, 30000, true)))));
    expect(await refusal(file)).toMatch(/image of the declared dimensions \(2.*voxels\) exceeds the limit on voxels per volume, 1,073,741,824 voxels \(raise it with MED3D_MAX_VOXELS\)/);
  });

  it('the limits are the user\'s to change (MED3D_MAX_VOXELS, MED3D_MAX_VOLUME_BYTES)', async () => {
    const file = write('small.nii', good);
    await expect(readNifti(file)).resolves.toBeDefined();
    process.env.MED3D_MAX_VOXELS = '63';
    expect(await refusal(file)).toMatch(/image of 4x4x4 voxels \(64 voxels\) exceeds the limit on voxels per volume, 63 voxels \(raise it with MED3D_MAX_VOXELS\)/);
    delete process.env.MED3D_MAX_VOXELS;
    process.env.MED3D_MAX_VOLUME_BYTES = '100';
    expect(await refusal(file)).toMatch(/\(128 bytes\) exceeds the limit on voxel data per volume, 100 bytes .*MED3D_MAX_VOLUME_BYTES/);
  });
});

describe('gzip: capped at what the header needs, CRC checked', () => {
  it('1 GiB of trailing zeros after a tiny NIfTI is refused without being inflated', async () => {
    const file = write('trailing.nii.gz', gzipWithTrailingZeros(good, 16));
    const t0 = performance.now();
    expect(await refusal(file)).toMatch(/gzip stream inflates to more than the 480 bytes its header describes/);
    // Inflating the whole gigabyte takes seconds; stopping at the cap takes milliseconds.
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('a CRC-32 mismatch is an error, not silently wrong voxels', async () => {
    const gz = gzip(good);
    gz[gz.length - 8] ^= 0xff;
    expect(await refusal(write('badcrc.nii.gz', gz))).toMatch(/corrupt gzip stream \(CRC-32 mismatch\)/);
  });

  it('multi-member streams (pigz, concatenated parts) still read in full', async () => {
    const parts = Buffer.concat([gzip(good.subarray(0, 400)), gzip(good.subarray(400))]);
    const vol = await readNifti(write('multi.nii.gz', parts));
    expect(Array.from(vol.data.subarray(0, 3))).toEqual([-10, -9, -8]);
  });

  it('gzipped data that is not NIfTI is named as such after its first bytes, not inflated further', async () => {
    const notNifti = new Uint8Array(4 << 20).fill(7);
    expect(await refusal(write('random.nii.gz', gzip(notNifti)))).toMatch(/: not a NIfTI file \(sizeof_hdr is neither 348 nor 540\)$/);
  });

  it('MED3D_MAX_DECOMPRESSED_BYTES caps what a gzip header may ask for', async () => {
    process.env.MED3D_MAX_DECOMPRESSED_BYTES = '256';
    expect(await refusal(write('cap.nii.gz', gzip(good)))).toMatch(/gzip content size declared by the header \(480 bytes\) exceeds the limit on decompressed size, 256 bytes .*MED3D_MAX_DECOMPRESSED_BYTES/);
  });
});

describe('scaling that overflows float32', () => {
  it('scl_slope 1e38 gives the finite values nibabel gives (float64) and says so', async () => {
    const file = write('slope.nii', variant((_b, dv) => dv.setFloat32(112, 1e38, true)));
    const vol = await readNifti(file);
    expect(vol.data).toBeInstanceOf(Float64Array);
    expect(vol.data[63]).toBeCloseTo(53 * Math.fround(1e38), -30);
    expect(Array.from(vol.data).every(Number.isFinite)).toBe(true);
    expect(vol.meta.warnings.join(' ')).toMatch(/exceed the float32 range \(scl_slope 9.99.*e\+37/);
  });

  it('float64 data scaled past float64 reports the Infinity voxels', async () => {
    const f64 = encodeNifti(
      { data: Float64Array.from([1, -1, 1e300, 0, 2, 3, 4, 5]), dims: [2, 2, 2], spacing: [1, 1, 1], affine: affineFromGeometry([1, 1, 1], [0, 0, 0]), meta: { warnings: [] } },
      { datatype: 'float64' },
    );
    new DataView(f64.buffer, f64.byteOffset).setFloat32(112, 1e38, true);
    const vol = await readNifti(write('inf.nii', f64));
    expect(vol.data[2]).toBe(Infinity);
    expect(vol.meta.warnings.join(' ')).toMatch(/1 voxels overflow to ±Infinity when scaled by scl_slope/);
  });
});
