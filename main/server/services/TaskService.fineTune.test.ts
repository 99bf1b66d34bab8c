import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Med3dService } from '../Med3dService';
import { JobRegistry } from '../../jobs/jobRegistry';
import { createApiClient } from '../../../common/api/createApiClient';
import { createApiDispatcher } from '../../../common/api/dispatcher';
import { createLocalTransport } from '../../../common/api/localTransport';
import type { Med3dApi } from '../../../common/api/Med3dApi';
import type { JobInfo } from '../../../common/api/types';
import { buildModel } from '../../engine/models/buildModel';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';
import { saveCheckpoint } from '../../engine/weights/checkpoint';
import { lungSpec, tinyBackbone } from '../../tasks/defaultSpecs';
import { generateCtPhantom } from '../../tasks/phantom/ctPhantom';
import { register as registerFinetune } from '../../tasks/jobs/finetune.job';
import { register as registerPredict } from '../../tasks/jobs/predict.job';
import { stopTaskEngine } from '../../tasks/jobs/taskEngine';
import { writeNifti } from '../../volume/io/nifti/writeNifti';

/**
 * Never-worse fine-tuning and jobs that keep their work, through the API on Med3dService with the
 * real 'finetune' job and engine worker. Tiny phantom CTs (40×40×32 voxels of 10 mm) and a tiny
 * model on a 16 mm grid keep each training to seconds; the lung cold start is the baseline.
 */
const SMALL = { patch: [16, 16, 16], spacingMm: [16, 16, 16], width: 2 };

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-ft-api-')));
});
afterAll(async () => {
  await stopTaskEngine();
  await rm(dir, { recursive: true, force: true });
});

interface Harness {
  svc: Med3dService;
  api: Med3dApi;
  ws: string;
}

async function open(ws: string): Promise<Harness> {
  const registry = new JobRegistry();
  registerFinetune(registry);
  registerPredict(registry);
  const svc = await Med3dService.create({ mode: 'web', version: 't', workspace: ws, roots: [dir], registry, discoverJobKinds: false });
  return { svc, ws, api: createApiClient(createLocalTransport(createApiDispatcher(svc), svc.events)) };
}

/** A workspace with `verified` phantom cases whose lungs are verified labels. */
async function workspace(name: string, verified: number): Promise<Harness> {
  const h = await open(path.join(dir, name));
  for (let seed = 1; seed <= verified; seed++) {
    const ph = generateCtPhantom({ dims: [40, 40, 32], seed, nodules: 0 });
    const file = path.join(dir, `${name}-${seed}.nii.gz`);
    await writeNifti(file, { ...ph.ct, data: Int16Array.from(ph.ct.data) });
    const c = await h.api.addCase({ path: file });
    await h.api.openCase({ caseId: c.caseId });
    await h.api.saveLabel({ caseId: c.caseId, labels: ph.truth.lungs.data.slice().buffer as ArrayBuffer, status: 'verified' });
  }
  return h;
}

async function finished(h: Harness, jobId: string): Promise<JobInfo> {
  return h.svc.jobs.wait(jobId);
}

describe('fineTune: never worse (held-out verified cases, the active method as baseline)', () => {
  it('a first lung model worse than the cold start is registered but cold start stays active', async () => {
    const h = await workspace('worse', 3);
    const { jobId } = await h.api.startJob({ kind: 'finetune', params: { task: 'lung', steps: 2, ...SMALL } });
    const job = await finished(h, jobId);
    expect(job.state, job.error?.message).toBe('done');
    const [v] = await h.api.listModels({ task: 'lung' });
    expect(v).toMatchObject({ versionId: 'lung-v1', origin: 'finetune', active: false, parent: null });
    expect((await h.api.getWorkspace())?.activeModels.lung).toBeNull();
    // One of three verified cases held out, never trained on; the comparison is stored per case.
    expect(v.comparison).toMatchObject({ baseline: 'cold-start', metric: 'dice', decision: 'kept-baseline' });
    expect(v.comparison!.cases).toHaveLength(1);
    const held = v.comparison!.cases[0]!.caseId;
    expect(v.trainingCases).not.toContain(held);
    expect(v.trainingCases).toHaveLength(2);
    expect(v.metrics.baselineDice).toBeGreaterThan(0.9);
    expect(v.metrics.valDice).toBeLessThan(v.metrics.baselineDice!);
    expect(v.metrics.valDice).toBeCloseTo(v.comparison!.candidateMean!, 10);
    expect(v.metrics.trainingCases).toBe(2);
    expect(v.backend).toEqual(expect.any(String));
    expect(v.seconds).toBeGreaterThan(0);
    expect(v.note).toMatch(/not promoted, cold-start stays active/);
    expect(job.result).toMatchObject({ modelVersion: 'lung-v1', promoted: false, decision: 'kept-baseline', baseline: 'cold-start' });
    // The user may still activate it by hand.
    expect((await h.api.activateModel({ task: 'lung', versionId: 'lung-v1' })).active).toBe(true);
    await h.svc.dispose();
  }, 120_000);

  it('a model that beats the active (deliberately bad) model is promoted; manual promotion never activates', async () => {
    const h = await workspace('better', 3);
    // An imported lung model that paints every voxel background: Dice 0 on every case.
    const model = buildModel(createHeadRegistry(), lungSpec(tinyBackbone(2)), { seed: 3 });
    const sd = model.stateDict();
    const bias = [...sd].filter(([k, t]) => k.endsWith('.bias') && t.shape[0] === 3).at(-1)!;
    bias[1].data = Float32Array.from([50, -50, -50]);
    model.loadStateDict(sd);
    const bad = path.join(dir, 'background.m3d');
    await saveCheckpoint(bad, { spec: model.spec, stateDict: model.stateDict(), meta: { createdAt: new Date().toISOString(), task: 'lung-segmentation', preprocessing: { spacing: [16, 16, 16], clip: [0.5, 99.5] } } });
    const imported = await h.api.importWeights({ path: bad, task: 'lung', note: 'all background' });
    expect(imported.active).toBe(true);

    const manual = await finished(h, (await h.api.startJob({ kind: 'finetune', params: { task: 'lung', steps: 3, from: 'scratch', promotion: 'manual', ...SMALL } })).jobId);
    expect(manual.state, manual.error?.message).toBe('done');
    expect(manual.result).toMatchObject({ promoted: false, decision: 'manual', baseline: imported.versionId });
    expect((await h.api.getWorkspace())?.activeModels.lung).toBe(imported.versionId);

    const auto = await finished(h, (await h.api.startJob({ kind: 'finetune', params: { task: 'lung', steps: 3, from: 'scratch', ...SMALL } })).jobId);
    expect(auto.state, auto.error?.message).toBe('done');
    const won = (auto.result as { modelVersion: string }).modelVersion;
    const v = (await h.api.listModels({ task: 'lung' })).find((m) => m.versionId === won)!;
    expect(v).toMatchObject({ active: true, origin: 'finetune', parent: null });
    expect(v.comparison).toMatchObject({ baseline: imported.versionId, decision: 'promoted', baselineMean: 0 });
    expect(v.metrics.valDice).toBeGreaterThan(0);
    expect(v.metrics.baselineDice).toBe(0);
    expect((await h.api.getWorkspace())?.activeModels.lung).toBe(won);
    await h.svc.dispose();
  }, 180_000);

  it('an active encoder-only import (runTask cannot segment with it) is fine-tuned under a lung head and replaced', async () => {
    const h = await workspace('encoder', 2);
    const encoder = buildModel(createHeadRegistry(), { backbone: tinyBackbone(2), head: { kind: 'none' } }, { seed: 5 });
    const file = path.join(dir, 'encoder.m3d');
    await saveCheckpoint(file, { spec: encoder.spec, stateDict: encoder.stateDict(), meta: { createdAt: new Date().toISOString(), preprocessing: { spacing: [16, 16, 16] } } });
    const imported = await h.api.importWeights({ path: file, task: 'lung' });
    const job = await finished(h, (await h.api.startJob({ kind: 'finetune', params: { task: 'lung', steps: 3, patch: [16, 16, 16], spacingMm: [16, 16, 16] } })).jobId);
    expect(job.state, job.error?.message).toBe('done');
    const v = (await h.api.listModels({ task: 'lung' })).find((m) => m.versionId === (job.result as { modelVersion: string }).modelVersion)!;
    expect(v).toMatchObject({ parent: imported.versionId, origin: 'finetune', active: true });
    expect(v.comparison).toMatchObject({ baseline: imported.versionId, decision: 'promoted', baselineMean: 0 });
    expect(v.note).toMatch(/pretrained encoder from .*new lung-decoder head/);
    expect(v.note).toMatch(new RegExp(`the active model ${imported.versionId} cannot segment`));
    await h.svc.dispose();
  }, 120_000);

  it('refuses a start version of another task or that does not exist, as one clear error', async () => {
    const h = await workspace('refuse', 0);
    await expect(h.api.fineTune({ task: 'lung', from: 'lung-v9' })).rejects.toThrow(/no model version lung-v9/);
    await expect(h.api.fineTune({ task: 'lung', steps: 0 })).rejects.toThrow(/steps/);
    await h.svc.dispose();
  });
});

describe('fineTune: jobs that keep their work', () => {
  it('cancel keeps the best weights so far as an inactive candidate', async () => {
    const h = await workspace('cancel', 2);
    const { jobId } = await h.api.startJob({ kind: 'finetune', params: { task: 'lung', steps: 100_000, ...SMALL } });
    // Let it train a few steps (the loss curve grows), then cancel.
    for (let t = 0; t < 600; t++) {
      const j = await h.api.getJob({ jobId });
      if ((j.curves?.loss?.length ?? 0) >= 3 || j.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.api.cancelJob({ jobId });
    const job = await finished(h, jobId);
    expect(job.state).toBe('cancelled');
    const r = job.result as { modelVersion: string; step: number; cancelled: boolean };
    expect(r.cancelled).toBe(true);
    expect(r.step).toBeGreaterThanOrEqual(3);
    const v = (await h.api.listModels({ task: 'lung' })).find((m) => m.versionId === r.modelVersion)!;
    expect(v).toMatchObject({ origin: 'finetune', active: false });
    expect(v.comparison?.decision).toBe('cancelled');
    expect(v.note).toMatch(new RegExp(`cancelled at step ${r.step}`));
    expect(existsSync(path.join(h.ws, v.file))).toBe(true);
    // Nothing left to resume: the job ended.
    expect((await h.api.listJobs()).filter((j) => j.state === 'interrupted')).toEqual([]);
    expect(existsSync(path.join(h.ws, 'jobs', jobId))).toBe(false);
    await h.svc.dispose();
  }, 120_000);

  it('closing the app mid-run leaves the job interrupted; resumeJob continues from its checkpoint', async () => {
    const ws = path.join(dir, 'resume');
    const first = await workspace('resume', 2);
    const steps = 12;
    const { jobId } = await first.api.startJob({ kind: 'finetune', params: { task: 'lung', steps, ...SMALL } });
    for (let t = 0; t < 600; t++) {
      const j = await first.api.getJob({ jobId });
      if (existsSync(path.join(ws, 'jobs', jobId, 'checkpoint.m3d')) || j.state !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(existsSync(path.join(ws, 'jobs', jobId, 'checkpoint.m3d'))).toBe(true);
    await first.svc.dispose(); // the app closes while training
    expect(await first.api.listModels({ task: 'lung' })).toEqual([]);

    // Opening that workspace from a session on another one announces the interrupted job.
    const elsewhere = await open(path.join(dir, 'elsewhere'));
    const announced: JobInfo[] = [];
    const off = elsewhere.api.onJobUpdate((j) => announced.push(j));
    await elsewhere.api.openWorkspace({ path: ws });
    off();
    expect(announced).toEqual([expect.objectContaining({ id: jobId, state: 'interrupted' })]);
    await elsewhere.svc.dispose();

    const second = await open(ws);
    const [interrupted] = (await second.api.listJobs()).filter((j) => j.id === jobId);
    expect(interrupted).toMatchObject({ kind: 'finetune', state: 'interrupted', resumable: true });
    expect(await second.api.getJob({ jobId })).toMatchObject({ state: 'interrupted' });
    expect((await second.api.resumeJob({ jobId })).jobId).toBe(jobId);
    const job = await finished(second, jobId);
    expect(job.state, job.error?.message).toBe('done');
    // The resumed run trained only the steps left: its loss curve starts after step 1.
    const losses = job.curves?.loss ?? [];
    expect(losses[0]![0]).toBeGreaterThan(1);
    expect(losses.at(-1)![0]).toBe(steps);
    expect(job.result).toMatchObject({ steps, decision: 'kept-baseline' });
    expect((await second.api.listModels({ task: 'lung' })).map((m) => m.versionId)).toEqual(['lung-v1']);
    expect((await second.api.listJobs()).filter((j) => j.state === 'interrupted')).toEqual([]);
    await expect(second.api.resumeJob({ jobId })).rejects.toThrow(/no interrupted job/);
    await second.svc.dispose();
  }, 180_000);
});
