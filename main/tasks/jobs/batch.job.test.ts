import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Med3dService } from '../../server/Med3dService';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import type { BatchReport } from '../../../common/api/types';

let dir = '';
let svc: Med3dService;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'med3d-batchjob-')));
  await mkdir(path.join(dir, 'in'));
  await writeNifti(path.join(dir, 'in', 'p1.nii.gz'), generateCtPhantom({ dims: [48, 48, 32], seed: 2 }).ct);
  await writeFile(path.join(dir, 'in', 'broken.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  svc = await Med3dService.create({ mode: 'web', version: 'test', workspace: path.join(dir, 'ws'), roots: [dir], log: () => undefined });
});
afterAll(async () => {
  await svc?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("'batch' job through the API (File ▸ Batch Segmentation…)", () => {
  it('segments every scan of the folder and reports per case its output or error and its time', async () => {
    const out = path.join(dir, 'out');
    const { jobId } = await svc.startJob({ kind: 'batch', params: { task: 'lung', in: path.join(dir, 'in'), out } });
    const job = await svc.jobs.wait(jobId);
    expect(job.state, job.error?.message).toBe('done');
    const r = job.result as BatchReport;
    expect({ ok: r.ok, failed: r.failed, skipped: r.skipped, exitCode: r.exitCode, omitted: r.omitted }).toEqual({ ok: 1, failed: 1, skipped: 0, exitCode: 2, omitted: 0 });
    const byId = new Map(r.cases.map((c) => [c.id, c]));
    const ok = byId.get('p1')!;
    expect(ok.status).toBe('ok');
    expect(ok.output).toBe(path.join(out, 'p1.lung.nii.gz'));
    expect((await stat(ok.output!)).size).toBeGreaterThan(0);
    expect(ok.timeS).toBeGreaterThan(0);
    expect(byId.get('broken')).toMatchObject({ status: 'failed', error: expect.stringContaining('broken.nii.gz') });
    expect((await stat(r.reportJson)).size).toBeGreaterThan(0);
    expect(r.reportCsv).toBe(path.join(out, 'report.csv'));
  }, 180_000);

  it("parameters go through the kind's schema before the job is queued", async () => {
    const params = { task: 'lung', in: path.join(dir, 'in'), out: path.join(dir, 'out-png'), format: 'png' };
    await expect(svc.startJob({ kind: 'batch', params })).rejects.toThrow(/batch\.format: expected "nifti" \| "dicom-seg", got "png"/);
  });

  it('an output folder inside the workspace is refused before the job is queued', async () => {
    await expect(svc.startJob({ kind: 'batch', params: { task: 'lung', in: path.join(dir, 'in'), out: path.join(dir, 'ws', 'models') } })).rejects.toThrow(/inside the workspace/);
  });
});
