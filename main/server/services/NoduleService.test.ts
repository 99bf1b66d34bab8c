import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoduleMark } from '../../../common/api/types';
import { stopTaskEngine } from '../../tasks/jobs/taskEngine';
import { generateCtPhantom, type CtPhantom } from '../../tasks/phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { Med3dService } from '../Med3dService';

/**
 * Nodule marks through the API (what the Nodule panel and `med3d call` use): the candidate under a
 * click, marks as candidates or drawn spheres with their class, kept in the workspace across a
 * restart; then those marks train the nodule classifier (fineTune task 'nodule') and "Classify
 * nodule" runs the new version.
 */
let dir: string;
let svc: Med3dService;
const phantoms: Array<{ p: CtPhantom; caseId: string }> = [];

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-nodules-')));
  svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), roots: [dir] });
  for (const seed of [1, 2]) {
    const p = generateCtPhantom({ seed, dims: [96, 96, 64] });
    const file = path.join(dir, `phantom-${seed}.nii.gz`);
    await writeNifti(file, p.ct, { compressionLevel: 1 });
    const h = await svc.openVolume({ kind: 'path', path: file });
    phantoms.push({ p, caseId: h.caseId as string });
  }
}, 60_000);

afterAll(async () => {
  await svc.dispose();
  await stopTaskEngine();
  await rm(dir, { recursive: true, force: true });
});

describe('nodule marks', () => {
  it('candidate under a click, marks as candidate or sphere with their class, errors that name the problem, kept across a restart', async () => {
    const { p, caseId } = phantoms[0];
    const n = p.nodules[0];
    // A click 2 mm beside the centre finds the nodule's centre and radius.
    const click: [number, number, number] = [n.centerWorld[0] + 2, n.centerWorld[1], n.centerWorld[2]];
    const cand = await svc.findNoduleCandidate({ caseId, point: { frame: 'world', coords: click } });
    expect(cand).not.toBeNull();
    expect(Math.hypot(...([0, 1, 2].map((a) => cand!.centerWorld[a] - n.centerWorld[a]) as [number, number, number]))).toBeLessThan(3);
    expect(Math.abs(2 * cand!.radiusMm - n.diameterMm) / n.diameterMm).toBeLessThan(0.35);

    const m1 = await svc.addNoduleMark({ caseId, center: { frame: 'world', coords: click }, malignancy: 3 });
    expect(m1).toMatchObject({ markId: 'nodule-1', caseId, shape: 'candidate', label: 'benign', malignancy: 3 });
    expect(m1.radiusMm).toBeCloseTo(cand!.radiusMm, 5);
    const m2 = await svc.addNoduleMark({ caseId, center: { frame: 'voxel', coords: p.nodules[1].centerVoxel }, radiusMm: 6, label: 'malignant' });
    expect(m2).toMatchObject({ markId: 'nodule-2', shape: 'sphere', radiusMm: 6, label: 'malignant', malignancy: null });

    await expect(svc.addNoduleMark({ caseId, center: { frame: 'world', coords: click } })).rejects.toThrow(/needs its class: malignancy \(LIDC 1..5\) or label/);
    await expect(svc.addNoduleMark({ caseId, center: { frame: 'world', coords: click }, malignancy: 4, label: 'benign' })).rejects.toThrow(/malignancy 4 is malignant/);
    // Air in the middle of nowhere: no candidate, so the user is told to draw a sphere.
    await expect(svc.addNoduleMark({ caseId, center: { frame: 'voxel', coords: [2, 2, 2] }, label: 'benign' })).rejects.toThrow(/no nodule at .*draw a sphere/);
    await expect(svc.addNoduleMark({ caseId, center: { frame: 'voxel', coords: [500, 2, 2] }, radiusMm: 5, label: 'benign' })).rejects.toThrow(/outside the scan/);

    const up = await svc.updateNoduleMark({ caseId, markId: m1.markId, malignancy: 5 });
    expect(up).toMatchObject({ label: 'malignant', malignancy: 5 });
    await svc.removeNoduleMark({ caseId, markId: m2.markId });

    const again = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), roots: [dir], discoverJobKinds: false });
    expect((await again.listNoduleMarks({ caseId })).map((m) => [m.markId, m.label, m.malignancy])).toEqual([['nodule-1', 'malignant', 5]]);
    await again.dispose();
    await svc.removeNoduleMark({ caseId, markId: m1.markId });
  }, 60_000);

  it('the marks train the nodule classifier (held-out marks decide promotion by accuracy); Classify nodule runs the new version', async () => {
    const marks: NoduleMark[] = [];
    for (const { p, caseId } of phantoms) {
      for (const n of p.nodules) marks.push(await svc.addNoduleMark({ caseId, center: { frame: 'voxel', coords: n.centerVoxel }, malignancy: n.lidcMalignancy }));
    }
    expect(new Set(marks.map((m) => m.label))).toEqual(new Set(['benign', 'malignant']));
    expect(await svc.listNoduleMarks({})).toHaveLength(marks.length);

    // The API's fineTune {task: 'nodule'} is this job kind; tiny settings keep the test short.
    const { jobId } = await svc.startJob({ kind: 'nodule:finetune', params: { steps: 3, patch: [16, 16, 16], width: 2 } });
    const job = await svc.jobs.wait(jobId);
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const res = job.result as { modelVersion: string; promoted: boolean; note: string };
    const [v] = await svc.listModels({ task: 'nodule' });
    expect(v).toMatchObject({ versionId: res.modelVersion, task: 'nodule', origin: 'finetune', parent: null });
    expect(v.comparison).toMatchObject({ metric: 'accuracy', baseline: 'none' });
    const held = v.comparison!.cases;
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(v.metrics.validationMarks).toBe(held.length);
    expect(v.metrics.trainingMarks).toBe(marks.length - held.length);
    expect(v.metrics.valAccuracy).toBeCloseTo(held.filter((r) => r.candidate === 1).length / held.length, 6);
    // Never worse: with no nodule model yet, any right answer beats none; active only when promoted.
    expect(v.active).toBe(v.comparison!.decision === 'promoted');
    expect(v.comparison!.decision).toBe(held.some((r) => r.candidate === 1) ? 'promoted' : 'kept-baseline');
    expect(res.note).toMatch(/held-out accuracy/);

    const { caseId } = phantoms[0];
    const r = await svc.classifyNodule({ caseId, point: { frame: 'voxel', coords: phantoms[0].p.nodules[1].centerVoxel }, modelVersion: v.versionId });
    expect(r.probability).toBeGreaterThanOrEqual(0);
    expect(r.probability).toBeLessThanOrEqual(1);
    expect(r.modelVersion).toBe(v.versionId);
    // A recipe-trained model sees its own patch size.
    expect(r.patch.dims).toEqual([16, 16, 16]);

    // fineTune {task: 'nodule'} is that job; a cancel keeps the best weights so far as an inactive candidate.
    const ft = await svc.fineTune({ task: 'nodule', steps: 100_000 });
    expect((await svc.getJob({ jobId: ft.jobId })).kind).toBe('nodule:finetune');
    for (let t = 0; t < 1200; t++) {
      const j = await svc.getJob({ jobId: ft.jobId });
      if ((j.curves?.loss?.length ?? 0) >= 2 || j.state === 'done' || j.state === 'failed') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await svc.cancelJob({ jobId: ft.jobId });
    const cancelled = await svc.jobs.wait(ft.jobId);
    expect(cancelled.state).toBe('cancelled');
    const cr = cancelled.result as { modelVersion: string; cancelled: boolean; note: string };
    expect(cr.cancelled).toBe(true);
    const kept = (await svc.listModels({ task: 'nodule' })).find((m) => m.versionId === cr.modelVersion)!;
    expect(kept).toMatchObject({ origin: 'finetune', active: false, parent: v.active ? v.versionId : null });
    expect(kept.comparison?.decision).toBe('cancelled');
    expect(kept.note).toMatch(/cancelled at step \d+: best weights so far kept/);
  }, 120_000);
});
