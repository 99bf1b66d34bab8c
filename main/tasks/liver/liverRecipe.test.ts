import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { med3d } from '../../../test/med3dCli';
import { openDataset, type SegmentationDataset } from '../../datasets';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import { LIVER_STAGE } from '../../engine/models/heads/LiverTwoStageHead';
import { loadWeights } from '../../engine/weights/loadWeights';
import { gridOf, sameGrid } from '../../volume/geometry/grid';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { DEFAULT_BACKBONE } from '../taskDefinitions';
import { liverRecipe, liverValues } from './liverRecipe';
import { liverTaskDefinition } from './liverTaskDefinition';

/**
 * The liver task end to end on a tiny synthetic dataset whose liver label is 6 (and a tumour
 * label that counts as liver): `med3d train --task liver` writes ONE two-stage model;
 * `med3d batch --model` runs it as a pair (coarse stage, then DenseASPP on the ROI) and writes
 * masks on each source grid with the dataset's liver value.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'liver-task-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let data: SyntheticSegmentationDataset;
beforeAll(async () => {
  data = await writeSyntheticSegmentationDataset(path.join(tmp, 'liver'), {
    layout: 'msd',
    size: 'tiny',
    trainCases: 3,
    testCases: 1,
    seed: 21,
    name: 'TinyLiver',
    organs: [
      { value: 6, name: 'liver', intensity: 60, offsetMm: [-12, 4, 0], radiiMm: [28, 22, 26] },
      { value: 7, name: 'liver tumour', intensity: 20, offsetMm: [-12, 4, 0], radiiMm: [7, 7, 7] },
    ],
  });
}, 60_000);

const tiny = ['--width', '2', '--patch', '16,16,16', '--batch-size', '1', '--seed', '1'];

describe('liver recipe', () => {
  it('alternates coarse whole-scan batches and fine ROI patches, each tagged with its stage', async () => {
    const ds = (await openDataset(data.root)) as SegmentationDataset;
    expect(liverValues(ds).values).toEqual([6, 7]);
    const def = liverTaskDefinition(DEFAULT_BACKBONE);
    const train = { ...ds, cases: ds.cases.filter((c) => c.split === 'train') };
    const p = await liverRecipe.prepare({ def, train, val: train, labels: ds.labels, preprocessing: def.preprocessing, patch: [16, 16, 8], batchSize: 2, augment: true, log: () => {} });
    expect(p.preprocessing).toMatchObject({ huWindow: [-200, 250], clip: null, inputDims: [16, 16, 8], window: [16, 16, 8] });
    const coarse = p.batch(0, 0, 11);
    const fine = p.batch(0, 1, 12);
    expect(coarse.domain).toBe(LIVER_STAGE.coarse);
    expect(fine.domain).toBe(LIVER_STAGE.fine);
    for (const b of [coarse, fine]) {
      expect(b.x.shape).toEqual([2, 8, 16, 16, 1]);
      const labels = Array.from(b.labels.dataSync());
      expect(new Set(labels)).toEqual(new Set([0, 1]));
      b.x.dispose();
      b.labels.dispose();
    }
    const noLiver = { ...ds, labels: ds.labels.map((l) => ({ ...l, name: l.value === 0 ? l.name : `organ ${l.value}` })) };
    expect(() => liverValues(noLiver)).toThrow(/no label named 'liver' \(labels: 0=background, 6=organ 6, 7=organ 7\)/);
  }, 60_000);

  it('med3d train --task liver writes one two-stage model; med3d batch --model runs the pair onto each source grid', async () => {
    const model = path.join(tmp, 'model', 'liver.m3d');
    const t = med3d(['train', '--task', 'liver', '--data', data.root, '--out', model, '--steps', '4', ...tiny]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/liver = labels 6, 7 \(liver\)/);
    const w = await loadWeights(model);
    expect(w.spec.head.kind).toBe('liver-two-stage');
    expect(w.checkpoint!.meta.task).toBe('liver-two-stage');
    expect(w.checkpoint!.meta.preprocessing).toMatchObject({ huWindow: [-200, 250], clip: null, inputDims: [16, 16, 16], window: [16, 16, 16] });
    expect(existsSync(path.join(tmp, 'model', 'metrics.json'))).toBe(true);

    const out = path.join(tmp, 'batch');
    const b = med3d(['batch', '--model', model, '--in', path.join(data.root, 'imagesTs'), '--out', out]);
    expect(b.code, b.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { cases: { id: string; status: string; method: string; notes: string[]; output: string }[] };
    expect(report.cases).toHaveLength(1);
    const rec = report.cases[0];
    expect(rec.status).toBe('ok');
    expect(rec.method).toMatch(/two-stage liver/);
    // Either the coarse stage found a liver and the fine stage refined its ROI, or it said it found none.
    expect(rec.notes.join(' ')).toMatch(/coarse ROI \d+x\d+x\d+ voxels|coarse stage found no liver/);
    const mask = await readNifti(rec.output);
    const image = await readNifti(data.cases.find((c) => c.split === 'test')!.image);
    expect(sameGrid(gridOf(mask), gridOf(image))).toBe(true);
    expect([...new Set(mask.data)].every((v) => v === 0 || v === 6)).toBe(true);
    expect(readdirSync(out)).toContain('report.csv');
  }, 180_000);
});
