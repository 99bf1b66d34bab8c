import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabelMap, Volume, VoxelArray } from '../../Volume';
import { fromRows, spacingFromAffine } from '../../geometry/affine';
import { decodeNifti } from './decodeNifti';
import { encodeNifti } from './encodeNifti';
import { qformAffine } from './niftiAffine';
import { readNifti } from './readNifti';
import { writeNifti } from './writeNifti';

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-nifti-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Oblique, left-handed (LPS-like) affine: exercises qfac = -1 and a non-trivial quaternion.
const c = Math.cos(0.3);
const s = Math.sin(0.3);
const oblique = fromRows([
  [-0.8 * c, 0, 2.5 * s, 12.5],
  [0, 0.8, 0, -40],
  [0.8 * s, 0, 2.5 * c, 7.25],
]);

function volume(data: VoxelArray, dims: [number, number, number] = [5, 4, 3]): Volume {
  return { data, dims, spacing: spacingFromAffine(oblique), affine: oblique, meta: { warnings: [] } };
}

function ramp<T extends VoxelArray>(a: T, scale = 1, offset = 0): T {
  for (let i = 0; i < a.length; i++) a[i] = i * scale + offset;
  return a;
}

describe('encodeNifti / writeNifti', () => {
  it.each([
    ['uint8', () => ramp(new Uint8Array(60))],
    ['uint16', () => ramp(new Uint16Array(60), 1000)],
    ['int16', () => ramp(new Int16Array(60), 37, -1024)],
    ['float32', () => ramp(new Float32Array(60), 0.125, -3.5)],
  ] as const)('5x4x3 %s round-trips data, datatype and sform affine', (name, make) => {
    const v = volume(make());
    const img = decodeNifti(encodeNifti(v));
    expect(img.datatype.name).toBe(name);
    expect(img.shape).toEqual([5, 4, 3]);
    expect(img.affineSource).toBe('sform');
    for (let i = 0; i < 16; i++) expect(img.affine[i]).toBeCloseTo(oblique[i], 5);
    const back = new (v.data.constructor as new (b: ArrayBuffer, o: number, n: number) => VoxelArray)(
      img.bytes.slice().buffer,
      0,
      60,
    );
    expect(Array.from(back)).toEqual(Array.from(v.data));
  });

  it('the qform written alongside encodes the same affine (oblique, left-handed)', () => {
    const img = decodeNifti(encodeNifti(volume(new Uint8Array(60))));
    expect(img.qformCode).toBe(1);
    expect(img.pixdim[0]).toBe(-1);
    const q = qformAffine(img.geometry);
    for (let i = 0; i < 16; i++) expect(q[i]).toBeCloseTo(oblique[i], 5);
  });

  it('casting to a smaller type refuses values that do not fit', () => {
    const v = volume(ramp(new Float32Array(60), 10));
    expect(() => encodeNifti(v, { datatype: 'uint8' })).toThrow(/value 260 at voxel 26 does not fit NIfTI uint8/);
    const ok = decodeNifti(encodeNifti(volume(ramp(new Float32Array(60))), { datatype: 'uint8' }));
    expect(ok.datatype.name).toBe('uint8');
  });

  it('writes .nii.gz atomically and reads it back; label maps get NIFTI_INTENT_LABEL', async () => {
    const labels: LabelMap = { ...volume(ramp(new Uint8Array(60)).map((x) => x % 3)), labels: [{ value: 1, name: 'liver' }] } as LabelMap;
    const file = path.join(dir, 'mask.nii.gz');
    await writeNifti(file, labels);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(file)[0]).toBe(0x1f);
    const back = await readNifti(file);
    expect(back.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.data)).toEqual(Array.from(labels.data));
    expect(back.dims).toEqual([5, 4, 3]);
    for (let i = 0; i < 16; i++) expect(back.affine[i]).toBeCloseTo(oblique[i], 5);
    expect(decodeNifti(encodeNifti(labels)).intentCode).toBe(1002);
  });

  it('refuses a name that is not .nii/.nii.gz and names the file', async () => {
    await expect(writeNifti(path.join(dir, 'x.png'), volume(new Uint8Array(60)))).rejects.toThrow(/x\.png: NIfTI output needs/);
  });
});
