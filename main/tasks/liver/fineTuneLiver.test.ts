import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Med3dService } from '../../server/Med3dService';
import { loadWeights } from '../../engine/weights/loadWeights';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { stopTaskEngine } from '../jobs/taskEngine';
import { generateCtPhantom } from '../phantom/ctPhantom';

/**
 * Liver end to end through the API (what the app and `med3d call` use): verified liver masks in a
 * workspace fine-tune ONE two-stage liver model (coarse + fine stages on one encoder, the liver
 * recipe's ROI random expansion and rotation/translation), registered as one version; the app's
 * liver button (runTask {task:'liver'}) then runs the pair: coarse stage → ROI → fine stage.
 */
let dir: string;
let svc: Med3dService;
const cases: string[] = [];
const WORKSPACE_LIVER = 3;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-liver-ft-')));
  svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), roots: [dir] });
  for (const seed of [3, 4, 5]) {
    const p = generateCtPhantom({ seed, dims: [32, 32, 24], nodules: 0 });
    const file = path.join(dir, `abdomen-${seed}.nii.gz`);
    await writeNifti(file, p.ct, { compressionLevel: 1 });
    const h = await svc.openVolume({ kind: 'path', path: file });
    const caseId = h.caseId as string;
    const labels = Uint8Array.from(p.truth.liver.data, (v) => (v ? WORKSPACE_LIVER : 0));
    await svc.saveLabel({ caseId, labels: labels.buffer, status: 'verified' });
    cases.push(caseId);
  }
}, 60_000);

afterAll(async () => {
  await svc.dispose();
  await stopTaskEngine();
  await rm(dir, { recursive: true, force: true });
});

describe('liver fine-tuning from verified masks', () => {
  it('trains one two-stage model (one version), compared on held-out cases through the pair; runTask liver runs coarse → ROI → fine', async () => {
    const { jobId } = await svc.startJob({ kind: 'finetune', params: { task: 'liver', steps: 2, patch: [16, 16, 16], width: 2 } });
    const job = await svc.jobs.wait(jobId);
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const versions = await svc.listModels({ task: 'liver' });
    expect(versions).toHaveLength(1);
    const v = versions[0];
    expect(v).toMatchObject({ task: 'liver', origin: 'finetune' });
    // Held-out verified cases scored through the pipeline on their own grids; the baseline is "no liver model yet".
    expect(v.comparison).toMatchObject({ metric: 'dice', baseline: 'none' });
    expect(v.comparison!.cases.length).toBeGreaterThanOrEqual(1);
    expect(v.comparison!.cases.every((r) => r.candidate >= 0 && r.candidate <= 1 && r.baseline === 0)).toBe(true);

    const w = await loadWeights(path.join(svc.workspace().root, v.file));
    expect(w.spec.head.kind).toBe('liver-two-stage');
    expect(w.checkpoint!.meta.task).toBe('liver-two-stage');
    // Both stages' input sizes are the training patch; the fine stage's spacing is the training cases' median.
    expect(w.checkpoint!.meta.preprocessing).toMatchObject({ huWindow: [-200, 250], clip: null, window: [16, 16, 16], inputDims: [16, 16, 16] });
    expect(w.checkpoint!.meta.preprocessing).toMatchObject({ spacing: [12.5, 12.5, 13.3333] });

    if (!v.active) await svc.activateModel({ task: 'liver', versionId: v.versionId });
    const run = await svc.runTask({ task: 'liver', caseId: cases[0] });
    const pred = await svc.jobs.wait(run.jobId);
    expect(pred.state, JSON.stringify(pred.error)).toBe('done');
    const r = pred.result as { method: string; notes: string[]; modelVersion: string; labelVersion: number };
    expect(r.modelVersion).toBe(v.versionId);
    expect(r.method).toMatch(/two-stage liver \(coarse .* \+ fine /);
    // Either the coarse stage found a liver and the fine stage refined its ROI, or it said it found none.
    expect(r.notes.join(' ')).toMatch(/coarse ROI \d+x\d+x\d+ voxels|coarse stage found no liver/);
    const saved = await svc.loadLabel({ caseId: cases[0], version: r.labelVersion });
    expect([...new Set(new Uint8Array(saved!.labels))].every((x) => x === 0 || x === WORKSPACE_LIVER)).toBe(true);
  }, 240_000);
});
