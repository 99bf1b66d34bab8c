import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VolumeReadError } from '../errors';
import { loadDicom } from './loadDicom';
import { scanDicomFolder } from './scanDicomFolder';
import { writeSyntheticSeries } from './testing/writeSyntheticSeries';

/** Synthetic series written with dcmjs (independent writer): small, fast, every case controlled. */
const root = mkdtempSync(path.join(os.tmpdir(), 'med3d-loaddicom-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `s${n++}`);

const R = 12; // rows (j)
const C = 16; // columns (i)
const at = (v: { data: ArrayLike<number>; dims: number[] }, i: number, j: number, k: number): number => v.data[i + v.dims[0] * (j + v.dims[1] * k)];

describe('loadDicom: synthetic series', () => {
  it('sorts shuffled files by position, rescales to HU and builds the RAS affine', async () => {
    const dir = fresh();
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 6, spacing: 2.5, pixelSpacing: [0.75, 0.5], origin: [-100, -120, 50], rescaleIntercept: -1024, shuffle: true });
    const v = await loadDicom(dir);
    expect(v.dims).toEqual([C, R, 6]);
    expect(v.data).toBeInstanceOf(Int16Array);
    for (const [i, j, k] of [[0, 0, 0], [15, 11, 5], [3, 7, 2], [9, 1, 4]]) expect(at(v, i, j, k)).toBe(((i + 3 * j + 7 * k) % 2000) - 1000 - 1024);
    // i along the row (LPS +x → RAS −x) at 0.5 mm, j down the columns (LPS +y → RAS −y) at 0.75 mm, k +z at 2.5 mm.
    expect(Array.from(v.affine)).toEqual([-0.5, 0, 0, 100, 0, -0.75, 0, 120, 0, 0, 2.5, 50, 0, 0, 0, 1]);
    expect(v.spacing).toEqual([0.5, 0.75, 2.5]);
    expect(v.meta.modality).toBe('CT');
    expect(v.meta.dicom?.sopInstanceUIDs).toHaveLength(6);
    expect(v.meta.warnings).toEqual([]);
  });

  it('sagittal stack: k follows the normal cross(row, column), sorted ascending', async () => {
    const dir = fresh();
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 4, spacing: 3, orientation: [0, 1, 0, 0, 0, -1], origin: [10, -20, 30], shuffle: true });
    const v = await loadDicom(dir);
    // normal = (1,0,0)·... cross([0,1,0],[0,0,-1]) = (-1, 0, 0) in LPS → (+1, 0, 0) in RAS.
    expect([v.affine[2], v.affine[6], v.affine[10]]).toEqual([3, 0, 0]);
    expect([v.affine[3], v.affine[7], v.affine[11]]).toEqual([-10, 20, 30]);
    expect(at(v, 2, 3, 1)).toBe(2 + 9 + 7 - 1000);
  });

  it('gantry-tilted stack with whole-pixel shear is resampled exactly onto the orthogonal grid', async () => {
    const dir = fresh();
    // Each slice's origin moves one row (0.75 mm) down the column direction: shear = atan(0.75 / 2).
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 4, spacing: 2, pixelSpacing: [0.75, 0.5], shearPerSlice: 0.75 });
    const v = await loadDicom(dir);
    expect(v.dims).toEqual([C, R, 4]);
    expect(v.meta.warnings.join(' ')).toMatch(/gantry tilt 20\.56°/);
    // Output row j of slice k sees source row j - k of that slice; rows above the stack are filled.
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < R; j++) {
        const expected = j - k >= 0 ? ((5 + 3 * (j - k) + 7 * k) % 2000) - 1000 : -1000;
        expect(at(v, 5, j, k), `k=${k} j=${j}`).toBe(expected);
      }
    const kept = await loadDicom(dir, { shear: 'keep' });
    expect([kept.affine[2], kept.affine[6], kept.affine[10]]).toEqual([0, -0.75, 2]);
    expect(at(kept, 5, 0, 3)).toBe(5 + 21 - 1000);
  });

  it('a missing slice is reported and linearly interpolated on a uniform grid', async () => {
    const dir = fresh();
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 5, spacing: 2, skip: [2] });
    const v = await loadDicom(dir);
    expect(v.dims).toEqual([C, R, 5]);
    expect(v.spacing[2]).toBeCloseTo(2, 6);
    expect(v.meta.warnings.join(' ')).toMatch(/non-uniform slice spacing .*1 slice\(s\) interpolated across gaps/);
    expect(at(v, 4, 4, 2)).toBeCloseTo((at(v, 4, 4, 1) + at(v, 4, 4, 3)) / 2, 5);
    expect(at(v, 4, 4, 3)).toBe(4 + 12 + 21 - 1000);
  });

  it('several series: the largest is loaded, the others listed; seriesInstanceUID picks', async () => {
    const dir = fresh();
    await writeSyntheticSeries(path.join(dir, 'a'), { rows: R, columns: C, slices: 3, seriesInstanceUID: '1.2.3.4.1' });
    await writeSyntheticSeries(path.join(dir, 'b', 'deep'), { rows: R, columns: C, slices: 5, seriesInstanceUID: '1.2.3.4.2' });
    writeFileSync(path.join(dir, 'notes.txt'), 'not dicom');
    const scan = await scanDicomFolder(dir);
    expect(scan.series.map((s) => [s.seriesInstanceUID, s.imageCount])).toEqual([['1.2.3.4.2', 5], ['1.2.3.4.1', 3]]);
    expect(scan.series[0].description).toMatch(/#1 "synthetic series" CT 5 images 16×12/);
    expect(scan.skipped).toHaveLength(1);
    const v = await loadDicom(dir);
    expect(v.dims[2]).toBe(5);
    expect(v.meta.warnings.join(' ')).toMatch(/folder holds 2 image series.*others: .*1\.2\.3\.4\.1/);
    expect(v.meta.warnings.join(' ')).toMatch(/1 file\(s\) skipped/);
    expect((await loadDicom(dir, { seriesInstanceUID: '1.2.3.4.1' })).dims[2]).toBe(3);
  });

  it('one SeriesInstanceUID with two orientations (localizer): two stacks, the larger loaded', async () => {
    const dir = fresh();
    await writeSyntheticSeries(path.join(dir, 'ax'), { rows: R, columns: C, slices: 4, seriesInstanceUID: '1.2.3.9' });
    await writeSyntheticSeries(path.join(dir, 'sag'), { rows: R, columns: C, slices: 2, seriesInstanceUID: '1.2.3.9', orientation: [0, 1, 0, 0, 0, -1] });
    const scan = await scanDicomFolder(dir);
    expect(scan.series.map((s) => [s.key, s.imageCount])).toEqual([['1.2.3.9#1', 4], ['1.2.3.9#2', 2]]);
    const v = await loadDicom(dir);
    expect(v.dims).toEqual([C, R, 4]);
    expect((await loadDicom(dir, { seriesInstanceUID: '1.2.3.9#2' })).dims).toEqual([C, R, 2]);
  });

  it('an image without position inside a series is left out, with a warning', async () => {
    const dir = fresh();
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 5, noPosition: [4] });
    const v = await loadDicom(dir);
    expect(v.dims).toEqual([C, R, 4]);
    expect(v.meta.warnings.join(' ')).toMatch(/1 of 5 images have no ImagePositionPatient.*left out/);
  });

  it('MONOCHROME1 keeps values and says so; non-integral slope gives float values', async () => {
    const dir = fresh();
    await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 2, photometric: 'MONOCHROME1', rescaleSlope: 0.5, rescaleIntercept: 10 });
    const v = await loadDicom(dir);
    expect(v.data).toBeInstanceOf(Float32Array);
    expect(at(v, 3, 2, 1)).toBeCloseTo((3 + 6 + 7 - 1000) * 0.5 + 10, 5);
    expect(v.meta.warnings.join(' ')).toMatch(/MONOCHROME1/);
  });

  it('one file of a series loads as a single slice with SliceThickness as k spacing', async () => {
    const dir = fresh();
    const files = await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 3, spacing: 1.5 });
    const v = await loadDicom(files[1]);
    expect(v.dims).toEqual([C, R, 1]);
    expect(v.spacing[2]).toBeCloseTo(1.5, 6);
    expect(v.affine[11]).toBeCloseTo(50 + 1.5, 6);
  });
});

describe('loadDicom: bad input gives one-line errors naming the file', () => {
  it('missing path', async () => {
    await expect(loadDicom(path.join(root, 'nope'))).rejects.toThrow(/cannot read .*nope: no such file or folder/);
  });

  it('folder without DICOM images', async () => {
    const empty = fresh();
    await writeSyntheticSeries(empty, { rows: R, columns: C, slices: 1 }).then(() => rmSync(path.join(empty, 'IM0000')));
    writeFileSync(path.join(empty, 'readme.md'), '# hello');
    await expect(loadDicom(empty)).rejects.toThrow(/no DICOM image series found \(1 file\(s\) skipped, e\.g\. readme\.md: file too small to be DICOM/);
  });

  it('a truncated slice inside a series names that slice', async () => {
    const dir = fresh();
    const files = await writeSyntheticSeries(dir, { rows: R, columns: C, slices: 3 });
    const bytes = readFileSync(files[1]);
    writeFileSync(files[1], bytes.subarray(0, bytes.length - 100));
    const err = await loadDicom(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeReadError);
    expect((err as Error).message).toContain(files[1]);
    expect((err as Error).message).toMatch(/truncated/);
  });

  it('a non-DICOM file', async () => {
    const f = path.join(root, 'junk.dcm');
    writeFileSync(f, Buffer.from('this is certainly not a DICOM file, but long enough to have 132 bytes'.repeat(4)));
    await expect(loadDicom(f)).rejects.toThrow(new RegExp(`cannot read ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a DICOM file`));
  });
});
