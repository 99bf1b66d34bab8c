import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VolumeReadError } from '../errors';
import { loadVolume } from '../loadVolume';
import { encodeDicom } from './testing/encodeDicom';

/** Hostile DICOM files, each built from a small valid one, and the Enhanced MR multi-frame layout. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-dicom-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => void delete process.env.MED3D_MAX_DECOMPRESSED_BYTES);

const R = 8;
const C = 6;

/** A single-frame 6×8 MR image, 16-bit signed, value = index. */
function mr(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.4',
    SOPInstanceUID: '1.2.826.0.1.3680043.8.498.10',
    StudyInstanceUID: '1.2.826.0.1.3680043.8.498.11',
    SeriesInstanceUID: '1.2.826.0.1.3680043.8.498.12',
    Modality: 'MR',
    ImagePositionPatient: [0, 0, 0],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    PixelSpacing: [1, 1],
    SliceThickness: 2,
    Rows: R,
    Columns: C,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    PixelData: Int16Array.from({ length: R * C }, (_, i) => i).buffer,
    _vrMap: { PixelData: 'OW' },
    ...over,
  };
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

async function refusal(file: string): Promise<string> {
  const t0 = performance.now();
  const err = await loadVolume(file).catch((e: unknown) => e);
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(err).toBeInstanceOf(VolumeReadError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`cannot read ${file}: `)).toBe(true);
  expect(msg).not.toContain('\n');
  return msg;
}

/** Replace a same-length ASCII string in the encoded bytes (header fields dcmjs would not write). */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const b = Buffer.from(bytes);
  const at = b.indexOf(from, 0, 'latin1');
  expect(at).toBeGreaterThan(0);
  b.write(to, at, 'latin1');
  return new Uint8Array(b);
}

describe('hostile DICOM headers give one-line errors before any big allocation', () => {
  it('NumberOfFrames = 99,999,999 in a small file: refused before per-frame records are built', async () => {
    const bytes = encodeDicom(mr({ NumberOfFrames: '99999999' }));
    expect(bytes.length).toBeLessThan(10_000);
    expect(await refusal(write('frames.dcm', bytes))).toMatch(/NumberOfFrames \(0028,0008\) is 99999999 but Pixel Data holds 96 bytes, enough for 1 frame\(s\) of 6×8×1 at 16 bits/);
  });

  it.each([
    ['Rows 0', { Rows: 0 }, /image size is missing or zero \(Rows 0, Columns 6\)/],
    ['Rows and Columns 65535 over 96 bytes', { Rows: 65535, Columns: 65535 }, /the header describes 1 frame but Pixel Data holds 96 bytes, enough for 0 frame\(s\) of 65535×65535/],
    ['BitsAllocated 7', { BitsAllocated: 7, BitsStored: 7, HighBit: 6 }, /BitsAllocated 7 is not supported/],
    ['BitsStored above BitsAllocated', { BitsStored: 20 }, /BitsStored 20 does not fit BitsAllocated 16/],
    ['SamplesPerPixel 4', { SamplesPerPixel: 4 }, /SamplesPerPixel 4 is not supported|enough for 0 frame/],
  ])('%s', async (_what, over, cause) => {
    expect(await refusal(write(`${_what.replace(/\W+/g, '-')}.dcm`, encodeDicom(mr(over))))).toMatch(cause);
  });

  it('sequences nested 100,000 deep: described, not "Maximum call stack size exceeded"', async () => {
    const plain = encodeDicom(mr());
    const metaEnd = 132 + 12 + new DataView(plain.buffer, plain.byteOffset).getUint32(140, true);
    // (0008,1115) SQ of undefined length holding an item of undefined length holding the next SQ …
    const level = [0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
    const nested = new Uint8Array(level.length * 100_000);
    for (let i = 0; i < 100_000; i++) nested.set(level, i * level.length);
    const msg = await refusal(write('nested.dcm', Buffer.concat([plain.subarray(0, metaEnd), nested])));
    expect(msg).not.toMatch(/call stack/i);
    expect(msg).toMatch(/invalid DICOM structure \(its structure is nested too deeply to read\)/);
  });

  it('an unknown transfer syntax', async () => {
    const bytes = patch(encodeDicom(mr()), '1.2.840.10008.1.2.1\0', '1.2.840.99999.1.2.1\0');
    expect(await refusal(write('ts.dcm', bytes))).toMatch(/transfer syntax 1\.2\.840\.99999\.1\.2\.1 is not supported/);
  });

  it('a deflated data set is inflated no further than MED3D_MAX_DECOMPRESSED_BYTES', async () => {
    // Deflated Explicit VR Little Endian: the data set after the file meta group is one raw deflate
    // stream (dcmjs writes it plain, so it is deflated here), padded with 16 MiB of zeros.
    const plain = encodeDicom(mr(), '1.2.840.10008.1.2.1.99');
    const metaEnd = 132 + 12 + new DataView(plain.buffer, plain.byteOffset).getUint32(140, true);
    const honest = write('deflated-ok.dcm', Buffer.concat([plain.subarray(0, metaEnd), deflateRawSync(plain.subarray(metaEnd))]));
    expect((await loadVolume(honest)).dims).toEqual([C, R, 1]);
    const padded = new Uint8Array(16 << 20);
    padded.set(plain.subarray(metaEnd));
    process.env.MED3D_MAX_DECOMPRESSED_BYTES = '1M';
    const bomb = write('deflated-bomb.dcm', Buffer.concat([plain.subarray(0, metaEnd), deflateRawSync(padded)]));
    expect(await refusal(bomb)).toMatch(/deflated data set inflates to more than 1048576 bytes \(the limit on decompressed size; raise it with MED3D_MAX_DECOMPRESSED_BYTES\)/);
  });
});

describe('Enhanced MR multi-frame', () => {
  it('19 frames with per-frame plane positions load as a 19-slice volume with the right geometry', async () => {
    const frames = 19;
    const px = Int16Array.from({ length: R * C * frames }, (_, i) => i % 1000);
    const ds = mr({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
      NumberOfFrames: String(frames),
      PixelData: px.buffer,
      SharedFunctionalGroupsSequence: [
        {
          PlaneOrientationSequence: [{ ImageOrientationPatient: [0, 1, 0, 0, 0, -1] }],
          PixelMeasuresSequence: [{ PixelSpacing: [0.5, 0.75], SliceThickness: 3 }],
        },
      ],
      // Sagittal slices along +x, 3 mm apart, written in reverse order.
      PerFrameFunctionalGroupsSequence: Array.from({ length: frames }, (_, f) => ({
        PlanePositionSequence: [{ ImagePositionPatient: [-30 + 3 * (frames - 1 - f), -40, 50] }],
        FrameContentSequence: [{ InStackPositionNumber: frames - f, StackID: '1' }],
      })),
    });
    delete ds.ImagePositionPatient;
    delete ds.ImageOrientationPatient;
    delete ds.PixelSpacing;
    const file = write('enhanced/enhanced.dcm', encodeDicom(ds));
    const vol = await loadVolume(file);
    // The folder scan (header-only reads) sees the same 19 frames.
    expect((await loadVolume(path.dirname(file))).dims).toEqual([C, R, frames]);
    expect(vol.dims).toEqual([C, R, frames]);
    expect(vol.spacing.map((s) => Number(s.toFixed(6)))).toEqual([0.75, 0.5, 3]);
    // The slice normal row × column is −x (LPS), so k runs from the largest x: frame 0 at LPS (24, −40, 50),
    // RAS (−24, 40, 50); the k column of the affine steps 3 mm along RAS +x.
    expect([vol.affine[3], vol.affine[7], vol.affine[11]].map((v) => Number(v.toFixed(6)))).toEqual([-24, 40, 50]);
    expect([vol.affine[2], vol.affine[6], vol.affine[10]].map((v) => Number(v.toFixed(6)))).toEqual([3, 0, 0]);
    expect(vol.data[R * C * 5 + 7]).toBe(px[R * C * 5 + 7]);
    expect(vol.data[R * C * (frames - 1)]).toBe(px[R * C * (frames - 1)]);
  });
});

describe('Enhanced MR multi-frame: per-frame orientation jitter', () => {
  it('orientations differing in the 5th decimal across a rounding boundary stay one 19-slice stack', async () => {
    const frames = 19;
    const ds = mr({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
      NumberOfFrames: String(frames),
      PixelData: new Int16Array(R * C * frames).buffer,
      SharedFunctionalGroupsSequence: [{ PixelMeasuresSequence: [{ PixelSpacing: [1, 1], SliceThickness: 2 }] }],
      PerFrameFunctionalGroupsSequence: Array.from({ length: frames }, (_, f) => ({
        PlanePositionSequence: [{ ImagePositionPatient: [0, 0, 2 * f] }],
        PlaneOrientationSequence: [{ ImageOrientationPatient: [1, f % 2 ? 0.00004999 : 0.00005001, 0, 0, 1, 0] }],
      })),
    });
    for (const k of ['ImagePositionPatient', 'ImageOrientationPatient', 'PixelSpacing']) delete ds[k];
    const vol = await loadVolume(write('jitter.dcm', encodeDicom(ds)));
    expect(vol.dims).toEqual([C, R, frames]);
    expect(vol.meta.warnings.join(' ')).not.toMatch(/mixed orientations/);
  });
});
