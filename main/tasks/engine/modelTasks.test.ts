import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Vec3, Volume } from '../../volume/Volume';
import { buildModel } from '../../engine/models/buildModel';
import { saveCheckpoint } from '../../engine/weights/checkpoint';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { generateCtPhantom, NODULE_LABELS } from '../phantom/ctPhantom';
import { argmaxLabels, meanEntropy, predictProbabilities, type Probabilities } from './segmentationInference';
import { lungSpec, noduleSpec, tinyBackbone } from '../defaultSpecs';
import { denseAsppRates } from '../../engine/models/heads/denseAsppHeadShape';
import { loadTaskModel, preprocessingToJson, type TaskPreprocessing } from './taskModel';
import { loadLungPredictor } from '../lung/lungModel';
import { prepareTask } from '../taskRegistry';
import { roiBox, segmentLiver, loadLiverModels } from '../liver/liverTask';
import { randomExpandedCrop, rotateTranslate } from '../liver/liverTraining';
import { detectNoduleCandidates, extractNodulePatch, classifyNodule } from '../nodule/noduleTask';
import { runBatch } from '../batch/runBatch';
import { seededRandom } from '../../util/seededRandom';
import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/** A liver workspace from before the two-stage model: coarse and fine stages as two model files. */
function liverCoarseSpec(backbone: BackboneSpec): ModelSpec {
  return { backbone, head: { kind: 'liver-coarse', classes: 2 } };
}

function liverFineSpec(backbone: BackboneSpec): ModelSpec {
  return { backbone, head: { kind: 'dense-aspp', classes: 2, growth: Math.max(4, backbone.baseWidth), rates: denseAsppRates(3) } };
}

// Tiny everything: these tests check plumbing, shapes and geometry, not accuracy.
const ph = generateCtPhantom({ dims: [48, 48, 32], seed: 4 });
let dir = '';

async function writeModel(name: string, spec: ModelSpec, task: string, pre: TaskPreprocessing): Promise<string> {
  const file = path.join(dir, `${name}.m3d`);
  const m = buildModel(createHeadRegistry(), spec, { seed: 3 });
  await saveCheckpoint(file, { spec, stateDict: m.stateDict(), meta: { createdAt: new Date().toISOString(), task, preprocessing: preprocessingToJson(pre) } });
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'med3d-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('segmentation inference helpers', () => {
  it('argmax and mean entropy on hand-made probabilities', () => {
    const p: Probabilities = { data: new Float32Array([0.5, 0.9, 0.2, 0.5, 0.1, 0.8]), classes: 2, dims: [3, 1, 1] };
    expect(Array.from(argmaxLabels(p))).toEqual([0, 0, 1]);
    const h = (q: number): number => -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
    expect(meanEntropy(p)).toBeCloseTo((Math.log(2) + h(0.9) + h(0.2)) / 3, 5);
  });

  it('sliding windows cover an odd-sized volume; probabilities sum to one', () => {
    const model = buildModel(createHeadRegistry(), lungSpec(tinyBackbone(2)), { seed: 1 });
    const dims: Vec3 = [20, 18, 13];
    const data = new Float32Array(dims[0] * dims[1] * dims[2]).map((_, q) => Math.sin(q * 0.37));
    const vol: Volume = { data, dims, spacing: [1, 1, 1], affine: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } };
    const p = predictProbabilities(model, vol, { window: [16, 16, 8] });
    expect(p.classes).toBe(3);
    expect(p.dims).toEqual(dims);
    const n = data.length;
    for (const q of [0, 7, n - 1]) expect(p.data[q] + p.data[n + q] + p.data[2 * n + q]).toBeCloseTo(1, 4);
  });
});

describe('lung task with a model', () => {
  it('loads a checkpoint, predicts on the source grid, and runs in batch with --model', async () => {
    const file = await writeModel('lung', lungSpec(tinyBackbone(2)), 'lung-segmentation', { clip: [0.5, 99.5], window: [64, 64, 64], spacing: [12, 12, 12] });
    const pred = await loadLungPredictor(file);
    expect(pred.describe()).toMatch(/lung-decoder/);
    const { mask, meanEntropy } = await pred.predict(ph.ct);
    expect(meanEntropy).toBeGreaterThan(0);
    expect(meanEntropy).toBeLessThanOrEqual(Math.log(3) + 1e-6);
    expect(mask.dims).toEqual(ph.ct.dims);
    expect(Array.from(mask.affine)).toEqual(Array.from(ph.ct.affine));
    expect(mask.data.every((v) => v <= 2)).toBe(true);

    const inDir = path.join(dir, 'in');
    await mkdir(inDir, { recursive: true });
    await writeNifti(path.join(inDir, 'p.nii.gz'), ph.ct);
    const s = await runBatch({ task: 'lung', inDir, outDir: path.join(dir, 'out'), model: file, warn: () => undefined });
    expect(s.exitCode).toBe(0);
    expect(s.cases[0].method).toMatch(/lung\.m3d/);
  });

  it('refuses a classifier as a lung model, naming the file', async () => {
    const file = await writeModel('cls', noduleSpec(tinyBackbone(2)), 'nodule-malignancy', {});
    await expect(prepareTask('lung', { model: file })).rejects.toThrow(/cls\.m3d.*classifier/);
  });
});

describe('two-stage liver', () => {
  it('coarse ROI from the true liver contains it; random expanded crops contain it; zero augmentation is identity', () => {
    const box = roiBox(ph.truth.liver.data as Uint8Array, ph.ct, 10)!;
    const [nx, ny] = ph.ct.dims;
    for (let p = 0; p < ph.truth.liver.data.length; p += 7) {
      if (!ph.truth.liver.data[p]) continue;
      const i = p % nx;
      const j = ((p - i) / nx) % ny;
      const k = (p - i - j * nx) / (nx * ny);
      expect(i >= box.start[0] && i < box.start[0] + box.size[0] && j >= box.start[1] && j < box.start[1] + box.size[1] && k >= box.start[2] && k < box.start[2] + box.size[2]).toBe(true);
    }
    const a = randomExpandedCrop(ph.ct, ph.truth.liver.data as Uint8Array, 1)!;
    const b = randomExpandedCrop(ph.ct, ph.truth.liver.data as Uint8Array, 2)!;
    const liverVox = (ph.truth.liver.data as Uint8Array).reduce((s, v) => s + v, 0);
    expect(a.labels.reduce((s, v) => s + v, 0)).toBe(liverVox);
    expect(b.labels.reduce((s, v) => s + v, 0)).toBe(liverVox);
    expect(a.box).not.toEqual(b.box);
    const patch = { input: Float32Array.from({ length: 8 * 8 * 4 }, (_, q) => q), labels: Int32Array.from({ length: 8 * 8 * 4 }, (_, q) => q % 3) };
    const same = rotateTranslate(patch, [8, 8, 4], seededRandom(1), 0, 0);
    expect(Array.from(same.labels)).toEqual(Array.from(patch.labels));
    const moved = rotateTranslate(patch, [8, 8, 4], seededRandom(1), 10, 2);
    expect(Array.from(moved.input)).not.toEqual(Array.from(patch.input));
  });

  it('runs coarse + fine models and pastes the mask on the source grid', async () => {
    const coarse = await writeModel('liver-coarse', liverCoarseSpec(tinyBackbone(2)), 'liver-coarse', { huWindow: [-200, 250], clip: null, inputDims: [16, 16, 16] });
    const fine = await writeModel('liver-fine', liverFineSpec(tinyBackbone(2)), 'liver-fine', { huWindow: [-200, 250], clip: null, spacing: [12, 12, 12], window: [64, 64, 64] });
    const models = await loadLiverModels(`${coarse},${fine}`, {});
    expect(models.coarse && models.fine).toBeTruthy();
    const r = segmentLiver(models, ph.ct);
    expect(r.mask.dims).toEqual(ph.ct.dims);
    expect(r.notes.join(' ')).toMatch(/coarse/);
    // Active learning: the deciding stage's mean softmax entropy (2 classes: 0 … ln 2).
    expect(r.uncertainty.value).toBeGreaterThanOrEqual(0);
    expect(r.uncertainty.value).toBeLessThanOrEqual(Math.log(2) + 1e-6);
    await expect(prepareTask('liver', {})).rejects.toThrow(/needs a model/);
  });
});

describe('nodule malignancy', () => {
  it('extracts a patch centred on a phantom nodule and classifies it', async () => {
    const big = generateCtPhantom({ dims: [128, 128, 80], seed: 5 });
    const nod = big.nodules[0];
    const patch = extractNodulePatch(big.ct, { frame: 'world', coords: nod.centerWorld }, { size: [16, 16, 16], spacingMm: 1 });
    expect(patch.dims).toEqual([16, 16, 16]);
    const centre = patch.data[8 + 16 * (8 + 16 * 8)];
    expect(centre).toBeGreaterThan(-300); // solid nodule, not lung (-850)
    const file = await writeModel('nodule', noduleSpec(tinyBackbone(2)), 'nodule-malignancy', {});
    const m = await loadTaskModel(file);
    const c = classifyNodule(m, big.ct, { frame: 'voxel', coords: nod.centerVoxel }, { size: [16, 16, 16] });
    expect(c.probability).toBeGreaterThanOrEqual(0);
    expect(c.probability).toBeLessThanOrEqual(1);
    for (let a = 0; a < 3; a++) expect(c.centerWorld[a]).toBeCloseTo(nod.centerWorld[a], 6);
  });

  it('runs the nodule task end to end (candidates in the cold-start lungs → classified mask + findings)', async () => {
    const big = generateCtPhantom({ dims: [128, 128, 80], seed: 5 });
    const file = await writeModel('nodule-task', noduleSpec(tinyBackbone(2)), 'nodule-malignancy', {});
    const task = await prepareTask('nodule', { model: file });
    const r = await task.run(big.ct);
    expect(r.findings!.length).toBeGreaterThanOrEqual(2);
    expect(r.mask.dims).toEqual(big.ct.dims);
    const values = new Set(r.mask.data);
    for (const v of values) expect([0, 1, 2]).toContain(v);
    expect(values.size).toBeGreaterThan(1);
    for (const f of r.findings!) expect(Number(f.probabilityMalignant)).toBeGreaterThanOrEqual(0);
  });

  it('finds the phantom nodules as candidates inside the lungs', () => {
    const big = generateCtPhantom({ dims: [128, 128, 80], seed: 5 });
    const lungs = new Uint8Array(big.truth.lungs.data.length);
    for (let p = 0; p < lungs.length; p++) lungs[p] = big.truth.lungs.data[p] ? 1 : 0;
    const cands = detectNoduleCandidates(big.ct, lungs);
    const found = big.nodules.filter((n) => cands.some((c) => Math.hypot(...([0, 1, 2].map((a) => (c.centerVoxel[a] - n.centerVoxel[a]) * big.ct.spacing[a]) as Vec3)) < 8));
    expect(found.length).toBeGreaterThanOrEqual(big.nodules.length - 1);
    expect(big.nodules.some((n) => n.malignant && found.includes(n))).toBe(true);
    expect(NODULE_LABELS.malignant).toBe(2);
  });
});

describe('active learning', () => {
  it('every lung prediction carries its uncertainty: softmax entropy for a model, soft-threshold entropy for the cold start', async () => {
    const file = await writeModel('lung-al', lungSpec(tinyBackbone(2)), 'lung-segmentation', { window: [64, 64, 64], spacing: [16, 16, 16] });
    const withModel = await (await prepareTask('lung', { model: file })).run(ph.ct);
    expect(withModel.uncertainty?.measure).toBe('entropy');
    expect(withModel.uncertainty!.value).toBeGreaterThan(0);
    expect(withModel.uncertainty!.value).toBeLessThanOrEqual(Math.log(3) + 1e-6);
    const cold = await (await prepareTask('lung')).run(ph.ct);
    expect(cold.uncertainty?.measure).toBe('threshold-entropy');
    expect(cold.uncertainty!.value).toBeGreaterThan(0);
    expect(cold.uncertainty!.value).toBeLessThan(Math.log(2));
  });
});
