import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, REPO_ROOT, sharedAvailable } from '../../../test/sharedDir';
import { affineFromGeometry, toRows } from '../../volume/geometry/affine';
import { encodeNifti } from '../../volume/io/nifti/encodeNifti';
import { readNifti } from '../../volume/io/nifti/readNifti';
import type { VolumeInfo } from './volume';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, MED3D_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('med3d info / convert', () => {
  const affine = affineFromGeometry([0.5, 0.75, 2], [-10, 20, 30], [-1, 0, 0, 0, -1, 0, 0, 0, 1]);
  const file = path.join(dir, 'small.nii');
  writeFileSync(
    file,
    encodeNifti({ data: Int16Array.from({ length: 24 }, (_, i) => i * 10 - 50), dims: [4, 3, 2], spacing: [0.5, 0.75, 2], affine, meta: { warnings: [] } }),
  );

  it('info --json prints dims, spacing, RAS+ affine, datatype and value stats', () => {
    const r = med3d('info', file, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as VolumeInfo;
    expect(info.dims).toEqual([4, 3, 2]);
    expect(info.spacing).toEqual([0.5, 0.75, 2]);
    expect(info.affine).toEqual(toRows(affine));
    expect(info.axcodes).toBe('LPS');
    expect(info.datatype).toBe('int16');
    expect([info.min, info.max, info.mean, info.nonFinite]).toEqual([-50, 180, 65, 0]);
    expect(info.warnings).toEqual([]);
  });

  it('info --json on a volume with NaN and Infinity voxels: statistics over the finite ones plus the non-finite count', () => {
    const nanFile = path.join(dir, 'nan.nii');
    const data = Float32Array.from([1, NaN, 3, Infinity, 5, NaN, -Infinity, 7]);
    writeFileSync(nanFile, encodeNifti({ data, dims: [2, 2, 2], spacing: [1, 1, 1], affine, meta: { warnings: [] } }));
    const r = med3d('info', nanFile, '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as VolumeInfo;
    expect([info.min, info.max, info.mean, info.nonFinite]).toEqual([1, 7, 4, 4]);
    expect(info.warnings.join(' ')).toMatch(/4 of 8 voxels are NaN or ±Infinity/);
  });

  it('convert writes a .nii.gz with the same geometry and voxels', async () => {
    const out = path.join(dir, 'out.nii.gz');
    const r = med3d('convert', file, out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*out\.nii\.gz: 4x3x2/);
    const v = await readNifti(out);
    expect(Array.from(v.data)).toEqual(Array.from({ length: 24 }, (_, i) => i * 10 - 50));
    for (let i = 0; i < 16; i++) expect(v.affine[i]).toBeCloseTo(affine[i], 6);
  });

  it('errors: exit code ≠ 0 and one line naming the file and the cause', () => {
    const bad = path.join(dir, 'bad.nii');
    writeFileSync(bad, Buffer.alloc(1024, 7));
    const r = med3d('info', bad);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(bad);
    expect(lines[0]).toMatch(/not a NIfTI file/);
    const r2 = med3d('convert', file, path.join(dir, 'x.png'));
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/x\.png: output must end in \.nii or \.nii\.gz/);
  });

  it.skipIf(!sharedAvailable('DICOM series for med3d info'))('info --json on a DICOM series folder reports CT, HU and the series geometry', () => {
    const r = med3d('info', path.join(DATA_DIR, 'series/dcmqi_ct-3slice'), '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as VolumeInfo;
    expect(info.dims[2]).toBe(3);
    expect(info.modality).toBe('CT');
    expect(info.min).toBeLessThan(-500);
  });
});
