import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentationDataset } from '../datasets/Dataset';
import { loadSegmentationCase } from '../datasets/loadSegmentationCase';
import { openDataset } from '../datasets/openDataset';
import { writeSyntheticSegmentationDataset } from '../datasets/testing/writeSyntheticSegmentationDataset';
import { casesToEvaluate, evaluateSegmentation } from './evaluateSegmentation';
import { segmentationMetrics } from './segmentationMetrics';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'evaluate-seg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let ds: SegmentationDataset;
beforeAll(async () => {
  await writeSyntheticSegmentationDataset(tmp, { layout: 'msd', size: 'tiny', trainCases: 2, testCases: 2, seed: 11 });
  ds = (await openDataset(tmp)) as SegmentationDataset;
});

describe('evaluateSegmentation', () => {
  it('split auto = the labelled test cases; train / all on request', () => {
    expect(casesToEvaluate(ds, 'auto')).toMatchObject({ split: 'test', cases: [{ id: 'case_002' }, { id: 'case_003' }] });
    expect(casesToEvaluate(ds, 'train').cases.map((c) => c.id)).toEqual(['case_000', 'case_001']);
    expect(casesToEvaluate({ ...ds, cases: ds.cases.filter((c) => c.split === 'train') }, 'auto').split).toBe('all');
  });

  it('a perfect predictor scores Dice 1 and HD95 0; a half-missed lesion lowers the lesion Dice', async () => {
    const perfect = await evaluateSegmentation(ds, 'auto', async (_img, id) => (await loadSegmentationCase(ds, ds.cases.find((c) => c.id === id)!)).label!);
    expect(perfect.cases.map((c) => c.meanDice)).toEqual([1, 1]);
    expect(perfect.summary.perLabel.map((l) => [l.name, l.dice.mean, l.hd95Mm.mean])).toEqual([
      ['organ', 1, 0],
      ['lesion', 1, 0],
    ]);
    expect(perfect.summary.perLabel[0].predictedMl.mean).toBeCloseTo(perfect.summary.perLabel[0].trueMl.mean, 12);

    // Every other lesion voxel predicted as organ.
    const spoiled = await evaluateSegmentation(ds, 'test', async (_img, id) => {
      const truth = (await loadSegmentationCase(ds, ds.cases.find((c) => c.id === id)!)).label!;
      const data = Uint8Array.from(truth.data, (v, q) => (v === 2 && q % 2 === 0 ? 1 : v));
      return { ...truth, data };
    });
    for (const c of spoiled.cases) {
      const truth = (await loadSegmentationCase(ds, ds.cases.find((x) => x.id === c.id)!)).label!;
      const pred = Uint8Array.from(truth.data, (v, q) => (v === 2 && q % 2 === 0 ? 1 : v));
      // The report holds exactly the metrics of the prediction against the truth.
      expect(c.labels).toEqual(segmentationMetrics({ ...truth, data: pred }, truth, ds.labels));
      expect(c.labels[1].dice).toBeLessThan(1);
    }
    expect(spoiled.summary.perLabel[1].dice.mean).toBeLessThan(1);
    expect(spoiled.summary.meanDice.n).toBe(2);
  });

  it('a prediction off the image grid is an error naming the image', async () => {
    const err = await evaluateSegmentation(ds, 'test', async (img) => ({ ...img, dims: [1, 1, 1], data: new Uint8Array(1), labels: [] })).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/case_002\.nii\.gz: the prediction is not on the image grid/);
  });
});
