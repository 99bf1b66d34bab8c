import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { buildModel } from '../../engine/models/buildModel';
import type { HeadSpec } from '../../engine/models/ModelSpec';
import { saveCheckpoint, type JsonValue } from '../../engine/weights/checkpoint';
import { dicePerClass } from '../../engine/train/metrics';
import { writeSyntheticNoduleDataset, type SyntheticNoduleDataset } from '../../datasets/testing/writeSyntheticNoduleDataset';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { sameGrid } from '../../volume/geometry/grid';
import { auc } from '../../engine/train/metrics';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * `med3d evaluate` end to end on tiny untrained models (the plumbing: model → predictions → files);
 * the metrics themselves are checked against hand-computed values in main/evaluation.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-evaluate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A tiny untrained model as `med3d train` writes it (task, label table, preprocessing in meta). */
async function tinyModel(file: string, head: HeadSpec, meta: Record<string, JsonValue>): Promise<void> {
  const model = buildModel(createHeadRegistry(), { backbone: { depth: 10, shortcut: 'B', baseWidth: 4, preActivation: false, inChannels: 1 }, head }, { seed: 3 });
  await saveCheckpoint(file, { spec: model.spec, stateDict: model.stateDict(), meta: { createdAt: new Date().toISOString(), ...meta } });
}

const LABELS = [
  { value: 0, name: 'background' },
  { value: 1, name: 'organ' },
  { value: 2, name: 'lesion' },
];
let seg: SyntheticSegmentationDataset;
let nod: SyntheticNoduleDataset;
const segModel = path.join(tmp, 'seg.m3d');
const clsModel = path.join(tmp, 'cls.m3d');
beforeAll(async () => {
  seg = await writeSyntheticSegmentationDataset(path.join(tmp, 'msd'), { layout: 'msd', size: 'tiny', trainCases: 1, testCases: 1, seed: 21 });
  nod = await writeSyntheticNoduleDataset(path.join(tmp, 'nod'), { size: 'tiny', volumes: 2, nodulesPerVolume: 3, seed: 5 });
  await tinyModel(segModel, { kind: 'lung-decoder', classes: 3, channels: [8, 8, 8] }, { task: 'segmentation', labels: LABELS, preprocessing: { spacing: [6, 6, 7], clip: [0.5, 99.5], orientation: 'RAS', window: [16, 16, 16] } });
  await tinyModel(clsModel, { kind: 'classifier', classes: 2 }, { task: 'nodule-malignancy', labels: [{ value: 0, name: 'benign' }, { value: 1, name: 'malignant' }], preprocessing: { clip: [0.5, 99.5], patchSpacingMm: 2, window: [16, 16, 16] } });
});

describe('med3d evaluate', () => {
  it('segmentation: evaluation.json and evaluation.csv hold the Dice of the masks the model predicted on each test case', async () => {
    const out = path.join(tmp, 'ev-seg');
    const r = med3d('evaluate', '--model', segModel, '--data', seg.root, '--out', out, '--save-masks', '--device', 'cpu');
    expect(r.stderr).toMatch(/wrote .*evaluation\.json, .*evaluation\.csv/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 test case\(s\); mean Dice /);
    const ev = JSON.parse(readFileSync(path.join(out, 'evaluation.json'), 'utf8'));
    expect(ev).toMatchObject({ kind: 'segmentation', split: 'test', model: segModel, data: seg.root, labels: LABELS });
    expect(ev.cases.map((c: { id: string }) => c.id)).toEqual(['case_001']);
    const csv = parse(readFileSync(path.join(out, 'evaluation.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(csv.map((x) => [x.case, x.label_name])).toEqual([
      ['case_001', 'organ'],
      ['case_001', 'lesion'],
    ]);
    for (const [n, c] of seg.cases.slice(1).entries()) {
      const mask = await readNifti(path.join(out, 'masks', `${c.id}.nii.gz`));
      const truth = await readNifti(c.label!);
      expect(sameGrid(mask, truth, 1e-3)).toBe(true);
      const d = dicePerClass(mask.data, truth.data, 3);
      for (const v of [1, 2]) {
        const want = Number.isNaN(d[v]) ? null : d[v];
        expect(ev.cases[n].labels[v - 1].dice ?? null).toBe(want);
        expect(csv[2 * n + v - 1].dice === '' ? null : Number(csv[2 * n + v - 1].dice)).toBe(want);
      }
    }
  });

  it('classification: predictions.csv keeps every input row in order (dropped and skipped ones empty) and evaluation.json scores them', async () => {
    const out = path.join(tmp, 'ev-cls');
    // One more row whose image does not exist: --skip-bad leaves it out and lists it.
    const csv = path.join(nod.root, 'with-bad-row.csv');
    writeFileSync(csv, `${readFileSync(nod.csv, 'utf8')}volumes/missing.nii.gz,1,2,3,4,5\n`);
    const r = med3d('evaluate', '--model', clsModel, '--data', csv, '--out', out, '--drop-indeterminate', '--skip-bad', '--json', '--device', 'cpu');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped line ${nod.nodules.length + 2}: ${path.join(nod.root, 'volumes/missing.nii.gz')}: image volumes/missing.nii.gz not found`);
    const ev = JSON.parse(r.stdout);
    expect(ev.skipped).toHaveLength(1);
    const rows = parse(readFileSync(path.join(out, 'predictions.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.pop()).toMatchObject({ image: 'volumes/missing.nii.gz', probability: '', predicted: '' });
    expect(rows.map((x) => x.malignancy)).toEqual(nod.nodules.map((n) => String(n.malignancy)));
    expect(Object.keys(rows[0])).toEqual(['image', 'x', 'y', 'z', 'diameter_mm', 'malignancy', 'probability', 'predicted']);
    const scored = rows.filter((x) => x.probability !== '');
    expect(rows.filter((x) => x.probability === '').map((x) => x.malignancy)).toEqual(nod.nodules.filter((n) => n.malignancy === 3).map(() => '3'));
    const truth = scored.map((x) => (Number(x.malignancy) >= 4 ? 1 : 0));
    const probs = scored.map((x) => Number(x.probability));
    expect(scored.every((x) => x.predicted === (Number(x.probability) >= 0.5 ? '1' : '0'))).toBe(true);
    expect(ev).toMatchObject({ kind: 'classification', rows: nod.nodules.length + 1, predicted: scored.length, threshold: 0.5 });
    expect(ev.accuracy).toBeCloseTo(scored.filter((x, n) => Number(x.predicted) === truth[n]).length / scored.length, 12);
    expect(ev.auc ?? NaN).toBeCloseTo(auc(probs, truth), 4);
    const m = ev.confusion;
    expect(m.tp + m.fp + m.tn + m.fn).toBe(scored.length);
    expect(ev.dropped).toHaveLength(nod.nodules.filter((n) => n.malignancy === 3).length);
    expect(JSON.parse(readFileSync(path.join(out, 'evaluation.json'), 'utf8'))).toEqual(ev);
  });

  it('a classifier on a segmentation dataset: exit 1, one line saying so', () => {
    const r = med3d('evaluate', '--model', clsModel, '--data', seg.root, '--out', path.join(tmp, 'ev-x'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`med3d: model ${clsModel} is a classification model (nodule-malignancy) but ${seg.root} is a segmentation dataset`);
  });
});
