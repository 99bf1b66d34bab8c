import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLoopCases } from '../../bench/clinicianLoopData';
import { runClinicianLoop } from '../../bench/clinicianLoopRun';
import { openDataset } from '../../main/datasets/openDataset';
import { loadVolume } from '../../main/volume/io/loadVolume';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'med3d-loop-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('clinician-loop benchmark (bench:loop)', () => {
  it('writes the pool as an MSD folder with right/left lung labels and keeps the held-out truth out of it', async () => {
    const c = await writeLoopCases(path.join(work, 'data-only'), { pool: 2, heldOut: 1, dims: [40, 40, 24], seed: 7 });
    const ds = await openDataset(c.dataset);
    expect(ds.kind).toBe('segmentation');
    if (ds.kind !== 'segmentation') return;
    expect(ds.labels.filter((l) => l.value !== 0).map((l) => [l.value, l.name])).toEqual([
      [1, 'right lung'],
      [2, 'left lung'],
    ]);
    expect(ds.cases.map((x) => path.basename(x.image))).toEqual(['lung_000.nii.gz', 'lung_001.nii.gz']);
    expect(JSON.parse(await readFile(path.join(c.dataset, 'dataset.json'), 'utf8')).training).toHaveLength(2);
    const truth = await loadVolume(c.heldOut[0].truth);
    expect(new Set(truth.data)).toEqual(new Set([0, 1, 2]));
  });

  it('imports the pool, adds the held-out scans and scores the cold start through med3d call only', async () => {
    const r = await runClinicianLoop({ work: path.join(work, 'loop'), pool: 2, heldOut: 1, dims: [48, 48, 32], seed: 11, ks: [], minutes: 0.1 });
    expect(r.importDataset).toMatchObject({ cases: 2, skipped: 0 });
    expect(r.steps).toHaveLength(1);
    const [s] = r.steps;
    expect(s).toMatchObject({ k: 0, fineTune: null, active: 'cold-start' });
    expect(s.evaluation.cases).toHaveLength(1);
    // The cold-start lung mask on a phantom: both lungs found (a wrong label value or grid would score ~0).
    expect(s.evaluation.cases[0].dice['right lung']).toBeGreaterThan(0.8);
    expect(s.evaluation.cases[0].dice['left lung']).toBeGreaterThan(0.8);
    expect(s.evaluation.meanDice).toBeCloseTo(s.evaluation.cases[0].meanDice, 6);
  }, 120_000);
});
