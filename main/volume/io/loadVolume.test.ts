import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../test/sharedDir';
import { VolumeReadError } from './errors';
import { detectVolumeKind, loadVolume } from './loadVolume';
import { encodeNifti } from './nifti/encodeNifti';
import { affineFromGeometry } from '../geometry/affine';
import { reorientToCanonical } from '../geometry/reorient';

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadVolume dispatch (synthetic files)', () => {
  const nii = encodeNifti({
    data: new Int16Array([1, 2, 3, 4, 5, 6, 7, 8]),
    dims: [2, 2, 2],
    spacing: [1, 1, 1],
    affine: affineFromGeometry([1, 1, 1], [0, 0, 0]),
    meta: { warnings: [] },
  });

  it('a NIfTI file without a NIfTI extension is recognised by its header', async () => {
    const file = path.join(dir, 'scan.bin');
    writeFileSync(file, nii);
    expect(await detectVolumeKind(file)).toBe('nifti');
    const v = await loadVolume(file);
    expect(Array.from(v.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a missing path is a VolumeReadError naming it', async () => {
    const missing = path.join(dir, 'nope.nii.gz');
    await expect(loadVolume(missing)).rejects.toThrow(new VolumeReadError(missing, 'no such file or folder').message);
  });

  it('a folder dispatches to the DICOM loader; an empty one is refused with its name', async () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    expect(await detectVolumeKind(empty)).toBe('dicom-folder');
    const err = await loadVolume(empty).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeReadError);
    expect((err as Error).message).toContain(empty);
  });

  it('a file that is neither NIfTI nor DICOM gets a one-line error naming it', async () => {
    const junk = path.join(dir, 'notes.txt');
    writeFileSync(junk, 'hello world, not a scan\n'.repeat(20));
    const err = await loadVolume(junk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeReadError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot read ${junk.replace(/[.]/g, '\\.')}: `));
    expect((err as Error).message).not.toContain('\n');
  });
});

describe.skipIf(!sharedAvailable('DICOM series / NIfTI in ../shared/data'))('loadVolume on ../shared/data', () => {
  it('NIfTI pair by its .img half', async () => {
    const v = await loadVolume(path.join(DATA_DIR, 'nifti/air.img.gz'));
    expect(v.dims).toEqual([79, 67, 64]);
  });

  it('a DICOM series folder agrees with the dcm2niix/dicom2nifti ground-truth NIfTI voxel for voxel', async () => {
    // dicom2nifti stores its own axis order (PIL); in RAS canonical order both must be identical.
    const series = reorientToCanonical(await loadVolume(path.join(DATA_DIR, 'series/dicom2nifti_compressed_jpegls'))).volume;
    const truth = reorientToCanonical(await loadVolume(path.join(DATA_DIR, 'series/dicom2nifti_compressed_jpegls_ground_truth.nii.gz'))).volume;
    expect(series.dims).toEqual(truth.dims);
    for (let i = 0; i < 16; i++) expect(series.affine[i]).toBeCloseTo(truth.affine[i], 3);
    let diff = 0;
    for (let i = 0; i < truth.data.length; i++) diff = Math.max(diff, Math.abs(series.data[i] - truth.data[i]));
    expect(diff).toBe(0);
  });
});

describe.skipIf(!sharedAvailable('DICOM SEG in ../shared/data'))('loadVolume on a DICOM SEG file', () => {
  it('opens it as a label map on its own grid', async () => {
    const file = path.join(DATA_DIR, 'dicom/seg/liver.dcm');
    expect(await detectVolumeKind(file)).toBe('dicom-seg');
    const v = await loadVolume(file);
    expect(v.dims).toEqual([512, 512, 3]);
    expect(v.meta.modality).toBe('SEG');
    expect(Array.from(v.data).filter((x) => x === 1)).toHaveLength(107098);
    expect(await detectVolumeKind(path.join(DATA_DIR, 'dicom/seg/ct_image.dcm'))).toBe('dicom');
  });
});
