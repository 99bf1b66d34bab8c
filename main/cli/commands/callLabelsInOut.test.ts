import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { writeSyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import { affineFromGeometry } from '../../volume/geometry/affine';
import { writeNifti } from '../../volume/io/nifti/writeNifti';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('med3d call: labels in and out, headless', () => {
  const ws = path.join(dir, 'ws');

  it('importDataset makes verified cases from an nnU-Net v2 folder; importLabel refuses a mask off the scan; exportLabel writes a DICOM SEG', async () => {
    await writeSyntheticSegmentationDataset(path.join(dir, 'Dataset004_Lung'), { layout: 'nnunet-v2', size: 'tiny', trainCases: 2, testCases: 0, organs: [{ value: 1, name: 'lung', intensity: -800, offsetMm: [0, 0, 0], radiiMm: [30, 25, 25] }], seed: 3 });
    const imp = med3d('call', 'importDataset', JSON.stringify({ path: 'Dataset004_Lung' }), '-w', ws);
    expect(imp.stderr).not.toMatch(/med3d:/);
    expect(imp.code).toBe(0);
    const r = JSON.parse(imp.stdout) as { cases: Array<{ caseId: string; status: string }>; skipped: unknown[]; labels: string[] };
    expect(r.cases.map((c) => c.status)).toEqual(['verified', 'verified']);
    expect(r.skipped).toEqual([]);
    expect(r.labels).toEqual(['1 "lung" → 1 Right lung / 2 Left lung (split by side)']);

    const list = JSON.parse(med3d('call', 'listCases', '-w', ws).stdout) as Array<{ caseId: string; status: string; latestVersion: number; uncertainty: number | null }>;
    expect(list.map((c) => [c.status, c.latestVersion, c.uncertainty])).toEqual([
      ['verified', 1, null],
      ['verified', 1, null],
    ]);

    const caseId = r.cases[0].caseId;
    // One "lung" label became the two sides of the workspace's table.
    const [v1] = JSON.parse(med3d('call', 'listLabelVersions', JSON.stringify({ caseId }), '-w', ws).stdout) as Array<{ author: string; voxelCounts: Record<string, number> }>;
    expect(v1.author).toBe('import');
    expect(v1.voxelCounts['1']).toBeGreaterThan(0);
    expect(v1.voxelCounts['2']).toBeGreaterThan(0);
    await writeNifti(path.join(dir, 'far.nii.gz'), {
      data: new Uint8Array(24).fill(1),
      dims: [4, 3, 2],
      spacing: [1, 1, 1],
      affine: affineFromGeometry([1, 1, 1], [5000, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]),
      meta: { warnings: [] },
    });
    const far = med3d('call', 'importLabel', JSON.stringify({ caseId, path: 'far.nii.gz' }), '-w', ws);
    expect(far.code).toBe(1);
    expect(far.stderr.trim().split('\n')).toHaveLength(1);
    expect(far.stderr).toContain(path.join(dir, 'far.nii.gz'));
    expect(far.stderr).toMatch(/does not overlap the scan/);

    const out = med3d('call', 'exportLabel', JSON.stringify({ caseId, format: 'dicom-seg', path: 'lung.seg.dcm' }), '-w', ws);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ path: path.join(dir, 'lung.seg.dcm') });
    expect(existsSync(path.join(dir, 'lung.seg.dcm'))).toBe(true);
  });
});
