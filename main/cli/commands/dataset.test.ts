import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import type { DatasetInspection } from '../../datasets/inspectDataset';
import { canonicalSpacing } from '../../datasets/canonicalSpacing';
import { writeSyntheticNoduleDataset, type SyntheticNoduleDataset } from '../../datasets/testing/writeSyntheticNoduleDataset';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import type { Vec3 } from '../../volume/Volume';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { medianSpacing } from '../../volume/preprocess/spacing';
import { percentiles } from '../../volume/preprocess/percentile';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-dataset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let seg: SyntheticSegmentationDataset;
let nod: SyntheticNoduleDataset;
beforeAll(async () => {
  seg = await writeSyntheticSegmentationDataset(path.join(tmp, 'msd'), { layout: 'msd', size: 'tiny', trainCases: 3, testCases: 1, seed: 9 });
  // Spoil case_002's label with a value outside the table: inspect lists it as a problem and goes on.
  const bad = seg.cases[2].label!;
  const l = await readNifti(bad);
  const data = Uint8Array.from(l.data);
  data[5] = 9;
  await writeNifti(bad, { ...l, data });
  nod = await writeSyntheticNoduleDataset(path.join(tmp, 'nodules'), { size: 'tiny', volumes: 2, nodulesPerVolume: 3, seed: 3 });
});

describe('med3d dataset inspect', () => {
  it('--json: cases, labels with voxels and mL, RAS spacing statistics, intensity percentiles, problems', async () => {
    const r = med3d('dataset', 'inspect', seg.root, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2); // a problem was found
    const rep = JSON.parse(r.stdout) as DatasetInspection;
    expect(rep).toMatchObject({ kind: 'segmentation', layout: 'msd', name: 'SyntheticOrgans' });
    expect(rep.counts).toMatchObject({ total: 4, train: 3, test: 1, labelled: 4, usable: 3, skipped: 1 });
    expect(rep.problems).toEqual([{ id: 'case_002', file: seg.cases[2].label, reason: "label value 9 not in the dataset's labels (0 background, 1 organ, 2 lesion)" }]);
    // Expected figures computed here from the files of the usable cases.
    const good = seg.cases.filter((c) => c.id !== 'case_002');
    const voxels = [0, 0, 0];
    const ml = [0, 0, 0];
    const spacings: Vec3[] = [];
    const all: number[] = [];
    for (const c of good) {
      const lab = await readNifti(c.label!);
      const img = await readNifti(c.image);
      spacings.push(canonicalSpacing(img.affine));
      all.push(...img.data);
      for (const v of lab.data) {
        voxels[v]++;
        ml[v] += (lab.spacing[0] * lab.spacing[1] * lab.spacing[2]) / 1000;
      }
    }
    expect(rep.labels.map((l) => [l.value, l.name, l.voxels, l.cases])).toEqual([
      [1, 'organ', voxels[1], 3],
      [2, 'lesion', voxels[2], 3],
    ]);
    expect(rep.labels[0].ml).toBeCloseTo(ml[1], 6);
    expect(rep.spacing.median).toEqual(medianSpacing(spacings));
    const [p05, p995] = percentiles(Float64Array.from(all), [0.5, 99.5]);
    expect(rep.intensity.p0_5).toBeCloseTo(p05, 6);
    expect(rep.intensity.p99_5).toBeCloseTo(p995, 6);
    expect(rep.intensity.sampled).toBe(all.length);
    expect(rep.images.map((i) => i.id)).toEqual(['case_000', 'case_001', 'case_003']);
  });

  it('prints a readable summary of a nodule CSV; --drop-indeterminate shows what it dropped', () => {
    const r = med3d('dataset', 'inspect', nod.csv, '--drop-indeterminate');
    expect(r.code).toBe(0);
    const benign = nod.nodules.filter((n) => n.label === 0 && n.malignancy !== 3).length;
    const malignant = nod.nodules.filter((n) => n.label === 1).length;
    const threes = nod.nodules.filter((n) => n.malignancy === 3).length;
    expect(r.stdout).toContain(`classes:    ${benign} benign, ${malignant} malignant`);
    expect(r.stdout).toContain(`rows:       ${nod.nodules.length}; ${nod.nodules.length - threes} usable, 0 with problems, ${threes} dropped`);
    expect(r.stdout).toMatch(/spacing: {4}median .* mm \(R, A, S; Med3D target spacing\)/);
    expect(r.stdout).toContain('problems:   none');
  });

  it('a path that is no dataset: exit 1, one line naming it', () => {
    const r = med3d('dataset', 'inspect', path.join(tmp, 'nope'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`med3d: ${path.join(tmp, 'nope')}: no such file or folder`);
  });
});
