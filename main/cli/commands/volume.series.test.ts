import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesListing } from '../../../common/api/types';
import { REPO_ROOT } from '../../../test/sharedDir';
import { writeSyntheticSeries } from '../../volume/io/dicom/testing/writeSyntheticSeries';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import type { VolumeInfo } from './volume';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-series-'));
const folder = path.join(dir, 'study');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('med3d info on a folder with several series', () => {
  beforeAll(async () => {
    // Two series in subfolders of one study folder: 6 slices of 16×12 (constant 40) and 4 of 10×8 (constant -700).
    await writeSyntheticSeries(path.join(folder, 'a'), { rows: 12, columns: 16, slices: 6, seriesInstanceUID: '1.2.826.0.1.3680043.8.498.101', value: () => 40 });
    await writeSyntheticSeries(path.join(folder, 'b'), { rows: 8, columns: 10, slices: 4, seriesInstanceUID: '1.2.826.0.1.3680043.8.498.102', value: () => -700 });
  });

  it('without --series lists the series (largest first) and says how to pick one instead of loading one', () => {
    const r = med3d('info', folder);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('holds 2 image series');
    expect(r.stdout).toMatch(/1\. .*6 images 16×12.*\[16 x 12 x 6/);
    expect(r.stdout).toMatch(/2\. .*4 images 10×8.*\[10 x 8 x 4/);
    expect(r.stdout).toContain('--series N');
    expect(r.stdout).not.toContain('dims:');
    const j = med3d('info', folder, '--json');
    expect(j.code).toBe(0);
    const listing = JSON.parse(j.stdout) as SeriesListing;
    expect(listing.series.map((s) => [s.index, s.dims, s.modality, s.seriesInstanceUID])).toEqual([
      [1, [16, 12, 6], 'CT', '1.2.826.0.1.3680043.8.498.101'],
      [2, [10, 8, 4], 'CT', '1.2.826.0.1.3680043.8.498.102'],
    ]);
  }, 60_000);

  it('--series N loads the series numbered N in the listing', () => {
    const second = JSON.parse(med3d('info', folder, '--series', '2', '--json').stdout) as VolumeInfo;
    expect(second.dims).toEqual([10, 8, 4]);
    expect([second.min, second.max]).toEqual([-700, -700]);
    expect(second.valueUnit).toBe('HU'); // declared CT
    // convert takes the same numbers.
    const out = path.join(dir, 'series2.nii.gz');
    const c = med3d('convert', folder, out, '--series', '2');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('10x8x4');
  }, 60_000);

  it('a series number that is not listed, or --series on a file, is a one-line error', () => {
    const r = med3d('info', folder, '--series', '3');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no series 3; the folder holds 2 image series');
    const f = med3d('info', path.join(folder, 'a', 'IM0000'), '--series', '1');
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('is not a folder');
  }, 60_000);
});

describe('med3d info value unit', () => {
  it('a NIfTI (no modality) with a CT value range reports HU', async () => {
    const file = path.join(dir, 'ct-like.nii');
    const data = Int16Array.from({ length: 4 * 4 * 3 }, (_, n) => (n % 5 === 0 ? -1024 : n * 20));
    await writeNifti(file, { data, dims: [4, 4, 3], spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } });
    const r = med3d('info', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/values: .*min -1024 .*\(HU\)/);
  }, 60_000);
});
