import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { affineFromGeometry } from '../../volume/geometry/affine';
import { encodeNifti } from '../../volume/io/nifti/encodeNifti';
import type { LimitRow } from './limits';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('med3d limits', () => {
  it('shows every limit, its variable, and a value set in the environment', () => {
    const r = med3d(['limits', '--json'], { MED3D_MAX_VOXELS: '512M' });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as LimitRow[];
    expect(rows.map((x) => x.env)).toEqual(['MED3D_MAX_VOXELS', 'MED3D_MAX_VOLUME_BYTES', 'MED3D_MAX_CHECKPOINT_BYTES', 'MED3D_MAX_DECOMPRESSED_BYTES']);
    expect(rows[0]).toMatchObject({ value: 512 * 2 ** 20, overridden: true });
    expect(rows[1]!.overridden).toBe(false);
  });

  it('a bad setting is a one-line error; the same variable makes med3d info refuse a scan over it', () => {
    const bad = med3d(['limits'], { MED3D_MAX_VOLUME_BYTES: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("med3d: MED3D_MAX_VOLUME_BYTES='lots' is not a positive size (e.g. 2G, 512M or a number of bytes)");
    const file = path.join(dir, 'small.nii');
    writeFileSync(file, encodeNifti({ data: new Int16Array(1000), dims: [10, 10, 10], spacing: [1, 1, 1], affine: affineFromGeometry([1, 1, 1], [0, 0, 0]), meta: { warnings: [] } }));
    const r = med3d(['info', file, '--json'], { MED3D_MAX_VOXELS: '999' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`med3d: cannot read ${file}: image of 10x10x10 voxels (1,000 voxels) exceeds the limit on voxels per volume, 999 voxels (raise it with MED3D_MAX_VOXELS)`);
  });
});
