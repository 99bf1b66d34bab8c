import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Volume, VoxelArray } from '../../Volume';
import { valueRange } from '../../valueRange';
import { decodeNifti } from './decodeNifti';
import { encodeNifti } from './encodeNifti';
import { niftiToVolume } from './niftiToVolume';
import { NiftiRangeWhileReading } from './NiftiRangeWhileReading';
import { readNifti } from './readNifti';

function vol(data: VoxelArray, dims: [number, number, number] = [4, 3, 2]): Volume {
  return { data, dims, spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } };
}

/** Feed the file to a watcher in `step`-byte pieces, as readFileInChunks would, then decode it. */
function watchAndDecode(file: Uint8Array, step: number): { watch: NiftiRangeWhileReading; data: VoxelArray } {
  const bytes = new Uint8Array(file.length);
  const watch = new NiftiRangeWhileReading();
  for (let filled = 0; filled < file.length; ) {
    const next = Math.min(file.length, filled + step);
    bytes.set(file.subarray(filled, next), filled);
    filled = next;
    watch.onBytes(bytes, filled);
  }
  return { watch, data: niftiToVolume(decodeNifti(bytes)).data };
}

const ramp = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('NiftiRangeWhileReading', () => {
  it.each([
    ['int16', Int16Array.from(ramp(24, (i) => (i * 37) % 50 - 1024))],
    ['uint8', Uint8Array.from(ramp(24, (i) => (i * 11) % 200))],
    ['float32 with NaN', Float32Array.from(ramp(24, (i) => (i === 5 ? NaN : Math.sin(i) * 100)))],
    ['float64', Float64Array.from(ramp(24, (i) => i * -1.5e10))],
  ])('%s: the range of every voxel, whatever the chunk size', (_name, data) => {
    const file = encodeNifti(vol(data));
    for (const step of [1, 7, 350, file.length]) {
      const { watch, data: read } = watchAndDecode(file, step);
      expect(watch.rangeOf(read)).toEqual(valueRange(data));
    }
  });

  it('a .nii.gz: the compressed bytes are passed over, the inflated ones watched', () => {
    const data = Int16Array.from(ramp(24, (i) => i * 7 - 50));
    const gz = gzipSync(encodeNifti(vol(data)));
    const w = new NiftiRangeWhileReading();
    w.onBytes(gz, gz.length);
    expect(w.rangeOf(data)).toBeNull();
    const inflated = encodeNifti(vol(data));
    w.onBytes(inflated, inflated.length);
    expect(w.rangeOf(niftiToVolume(decodeNifti(inflated)).data)).toEqual({ min: -50, max: 23 * 7 - 50 });
  });

  it('leaves to valueRange what does not reach the Volume as stored: scaling, 4D, another array', () => {
    const data = Int16Array.from(ramp(24, (i) => i - 5));

    const scaled = encodeNifti(vol(data));
    new DataView(scaled.buffer, scaled.byteOffset).setFloat32(112, 2, true); // scl_slope 2
    const s = watchAndDecode(scaled, 64);
    expect(s.watch.rangeOf(s.data)).toBeNull();
    expect(valueRange(s.data)).toEqual({ min: -10, max: 36 });

    const fourD = encodeNifti(vol(data));
    const dv = new DataView(fourD.buffer, fourD.byteOffset);
    dv.setInt16(40, 4, true); // dim[0] = 4
    dv.setInt16(46, 1, true); // dim[3] = 1
    dv.setInt16(48, 2, true); // dim[4] = 2 volumes of 4x3x1
    const f = watchAndDecode(fourD, 64);
    expect(f.watch.rangeOf(f.data)).toBeNull();

    const plain = watchAndDecode(encodeNifti(vol(data)), 64);
    expect(plain.watch.rangeOf(plain.data.slice())).toBeNull();
  });

  it('a file cut short has no range', () => {
    const file = encodeNifti(vol(Int16Array.from(ramp(24, (i) => i))));
    const w = new NiftiRangeWhileReading();
    w.onBytes(file, file.length - 2);
    expect(w.rangeOf(new Int16Array(24))).toBeNull();
  });

  it.each(['ct.nii', 'ct.nii.gz'])('readNifti (%s) notes the range it saw, so the header does not walk the voxels again', async (name) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'med3d-range-')), name);
    const bytes = encodeNifti(vol(Int16Array.from(ramp(24, (i) => i * 3 - 1000))));
    writeFileSync(file, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
    const v = await readNifti(file);
    v.data[0] = 5000; // nobody writes to a scan just read; here it shows where the answer comes from
    expect(valueRange(v.data)).toEqual({ min: -1000, max: 23 * 3 - 1000 });
  });
});
