import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Vec3, Volume } from '../../volume/Volume';
import { buildModel } from '../../engine/models/buildModel';
import { lungSpec, tinyBackbone } from '../defaultSpecs';
import { fineTune, toSample, type LabelledCase } from './fineTune';
import { validationDice } from '../train/segmentationRecipe';
import { splitValidation } from '../train/splitValidation';
import { JobRegistry, type JobContext } from '../../jobs/jobRegistry';
import type { JsonValue } from '../../../common/api/schema';
import { Workspace } from '../../workspace/Workspace';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { register as registerFinetune } from '../jobs/finetune.job';
import { register as registerPredict } from '../jobs/predict.job';
import { stopTaskEngine } from '../jobs/taskEngine';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/** A toy case the tiny network can learn in a few steps: a bright ball split into two classes. */
function ballCase(id: string, shift: number): LabelledCase {
  const dims: Vec3 = [24, 24, 16];
  const n = dims[0] * dims[1] * dims[2];
  const data = new Int16Array(n);
  const labels = new Uint8Array(n);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const q = i + dims[0] * (j + dims[1] * k);
        const inside = Math.hypot(i - 12 - shift, j - 12, (k - 8) * 1.5) < 7;
        labels[q] = inside ? (i < 12 + shift ? 1 : 2) : 0;
        data[q] = (inside ? 40 : -850) + ((q * 7919) % 23) - 11;
      }
  const ct: Volume = { data, dims, spacing: [1, 1, 1], affine: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } };
  return { id, ct, labels };
}

afterAll(async () => {
  await stopTaskEngine();
});

describe('splitValidation', () => {
  it('holds out a deterministic, disjoint share and keeps at least one training case', () => {
    const cases = ['c5', 'c1', 'c3', 'c2', 'c4'].map((id) => ({ id }));
    const a = splitValidation(cases, 0.4);
    const b = splitValidation([...cases].reverse(), 0.4);
    expect(a).toEqual(b);
    expect(a.validation).toHaveLength(2);
    expect(new Set([...a.train, ...a.validation].map((c) => c.id)).size).toBe(5);
    expect(splitValidation([{ id: 'x' }]).validation).toHaveLength(0);
    expect(splitValidation([{ id: 'x' }, { id: 'y' }], 0.9).train).toHaveLength(1);
  });
});

describe('fineTune', () => {
  it('raises validation Dice on a learnable task and keeps the best weights', async () => {
    const model = buildModel(createHeadRegistry(), lungSpec(tinyBackbone(2)), { seed: 1 });
    const events: number[] = [];
    const before = validationDice(model, [toSample(ballCase('v', 1), { clip: null })], undefined, 3);
    const r = await fineTune({
      model,
      preprocessing: { clip: null },
      train: [ballCase('a', 0), ballCase('b', 2)],
      validation: [ballCase('v', 1)],
      steps: 24,
      lr: 1e-2,
      patch: [16, 16, 16],
      evalEvery: 12,
      patience: 3,
      onProgress: (e) => events.push(e.step),
    });
    expect(r.bestDice).toBeGreaterThan(before + 0.1);
    expect(r.cancelled).toBe(false);
    expect(r.history.filter((h) => h.valDice !== undefined).length).toBe(2); // every 12 of 24 steps
    expect(events[events.length - 1]).toBe(24);
    // The model holds the best weights.
    const sd = model.stateDict();
    for (const [k, t] of r.stateDict) expect(Array.from(sd.get(k)!.data as Float32Array).slice(0, 4)).toEqual(Array.from(t.data as Float32Array).slice(0, 4));
  });

  it('refuses to run without training cases or a budget', async () => {
    const model = buildModel(createHeadRegistry(), lungSpec(tinyBackbone(2)));
    await expect(fineTune({ model, preprocessing: {}, train: [], validation: [ballCase('v', 0)], steps: 1, patch: [16, 16, 16] })).rejects.toThrow(/case to train on/);
    await expect(fineTune({ model, preprocessing: {}, train: [ballCase('a', 0)], validation: [], patch: [16, 16, 16] })).rejects.toThrow(/budget/);
  });
});

describe('finetune + predict job kinds (workspace, engine worker)', () => {
  it('one verified case: the version is registered but not promoted (validation impossible); activated by hand it predicts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'med3d-ft-'));
    try {
      const ph = generateCtPhantom({ dims: [40, 40, 24], seed: 9 });
      const src = path.join(dir, 'scan.nii.gz');
      await writeNifti(src, ph.ct);
      const ws = await Workspace.open(path.join(dir, 'ws'), { create: true });
      const c = await ws.addCase(src);
      await ws.setCaseGrid(c.caseId, { dims: [...ph.ct.dims] as [number, number, number], affine: Array.from(ph.ct.affine), spacing: [...ph.ct.spacing] as [number, number, number] });
      await ws.saveLabel(c.caseId, ph.truth.lungs.data as Uint8Array, { status: 'verified', author: 'user' });

      const registry = new JobRegistry();
      registerFinetune(registry);
      registerPredict(registry);
      const started: Array<{ kind: string; caseId?: string }> = [];
      const curves: string[] = [];
      const ctx = (kind: string, params: JsonValue): JobContext => ({
        jobId: `${kind}-1`,
        kind,
        params,
        caseId: c.caseId,
        signal: new AbortController().signal,
        throwIfCancelled: () => undefined,
        progress: () => undefined,
        curve: (name) => void curves.push(name),
        services: {
          workspace: () => ws,
          loadCaseVolume: async (id) => readNifti(ws.caseSource(id)),
          registerVolume: () => {
            throw new Error('not used');
          },
          startJob: (k, _p, o) => {
            started.push({ kind: k, caseId: o?.caseId });
            return 'job-2';
          },
        },
      });
      const res = (await registry.get('finetune')!.run(ctx('finetune', { task: 'lung', steps: 2, patch: [16, 16, 16], spacingMm: [16, 16, 16], width: 2 }))) as Record<string, JsonValue>;
      expect(res.modelVersion).toBe('lung-v1');
      expect(res.promoted).toBe(false);
      expect(res.decision).toBe('no-validation');
      expect(ws.activeModel('lung')).toBeNull();
      const v1 = ws.getModel('lung-v1');
      expect(v1.origin).toBe('finetune');
      expect(v1.note).toMatch(/validation is impossible with fewer than two verified cases/);
      expect(v1.comparison?.decision).toBe('no-validation');
      expect(v1.metrics.valDice).toBeUndefined();
      expect(v1.trainingCases).toEqual([c.caseId]);
      expect(curves).toContain('loss');
      expect(started).toEqual([]);
      await ws.activateModel('lung', 'lung-v1');

      const pred = (await registry.get('predict')!.run(ctx('predict', { task: 'lung' }))) as Record<string, JsonValue>;
      expect(pred.modelVersion).toBe('lung-v1');
      expect(ws.listLabelVersions(c.caseId).map((v) => v.status)).toEqual(['verified', 'predicted']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
