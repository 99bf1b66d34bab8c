import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRegistry } from '../../jobs/jobRegistry';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { Med3dService } from '../Med3dService';

const DIMS: [number, number, number] = [6, 5, 4];
const N = 6 * 5 * 4;

let dir: string;
let svc: Med3dService;
const started: unknown[] = [];

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-tasksvc-')));
  await writeNifti(path.join(dir, 'scan.nii.gz'), { data: new Int16Array(N).fill(-500), dims: DIMS, spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } });
  const registry = new JobRegistry();
  registry.register('finetune', {
    run: async (ctx) => {
      started.push(ctx.params);
      for (let i = 0; i < 500 && !ctx.signal.aborted; i++) await new Promise((r) => setTimeout(r, 10));
      return null;
    },
  });
  svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), roots: [dir], registry, discoverJobKinds: false });
});

afterAll(async () => {
  for (const j of svc.jobs.list()) if (j.state === 'queued' || j.state === 'running') svc.jobs.cancel(j.id);
  await svc.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('automatic fine-tuning after a corrected save', () => {
  it('picks the tasks from the label values the save contains, not from label names', async () => {
    await svc.updateSettings({
      fineTune: 'automatic',
      // Renamed labels: value 1 is still the lung task's class whatever it is called; "Lung nodule" (4) is not a mask task.
      labels: [
        { value: 1, name: 'Pulmo dexter', color: [200, 80, 80] },
        { value: 4, name: 'Lung nodule', color: [80, 200, 80] },
      ],
    });
    const { caseId } = await svc.openVolume({ kind: 'path', path: path.join(dir, 'scan.nii.gz') });
    const only = (value: number): ArrayBuffer => new Uint8Array(N).fill(value, 0, 7).buffer;

    await svc.saveLabel({ caseId: caseId as string, labels: only(4), status: 'corrected' });
    expect(svc.jobs.list().filter((j) => j.kind === 'finetune')).toHaveLength(0);

    await svc.saveLabel({ caseId: caseId as string, labels: only(1), status: 'corrected' });
    const ft = svc.jobs.list().filter((j) => j.kind === 'finetune');
    expect(ft).toHaveLength(1);
    expect(svc.jobs.params(ft[0].id)).toMatchObject({ task: 'lung', trigger: 'save' });

    // A predicted save teaches nothing; a second corrected save while lung is training starts no second job.
    await svc.saveLabel({ caseId: caseId as string, labels: only(1), status: 'predicted' });
    await svc.saveLabel({ caseId: caseId as string, labels: only(1), status: 'verified' });
    expect(svc.jobs.list().filter((j) => j.kind === 'finetune')).toHaveLength(1);
  });
});
