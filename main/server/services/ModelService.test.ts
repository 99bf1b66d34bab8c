import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Med3dService } from '../Med3dService';
import { ApiError } from '../../../common/api/errors';
import { loadWeights } from '../../engine/weights/loadWeights';
import { generateCtPhantom } from '../../tasks/phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { PYTHON, torchAvailable } from '../../../test/pythonTorch';
import { writeConstantLungModel } from '../../../test/constantLungModel';

let dir = '';
let svc: Med3dService;
/** Two tiny lung models whose last bias makes them predict differently everywhere (background vs right lung). */
const files = { background: '', rightLung: '' };

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'med3d-modelsvc-')));
  await mkdir(path.join(dir, 'out'));
  files.background = path.join(dir, 'background.m3d');
  files.rightLung = path.join(dir, 'right-lung.m3d');
  await writeConstantLungModel(files.background, 0);
  await writeConstantLungModel(files.rightLung, 1);
  await writeNifti(path.join(dir, 'chest.nii.gz'), generateCtPhantom({ dims: [48, 48, 32], seed: 6 }).ct);
  svc = await Med3dService.create({ mode: 'web', version: 'test', workspace: path.join(dir, 'ws'), roots: [dir], log: () => undefined });
});
afterAll(async () => {
  await svc?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('ModelService: delete and export model versions', () => {
  it('refuses deleting the active version, deletes an inactive one (entry and file)', async () => {
    const a = await svc.importWeights({ path: files.background, task: 'liver', note: 'a' });
    const b = await svc.importWeights({ path: files.rightLung, task: 'liver', note: 'b' });
    const refused = await errorOf(svc.deleteModel({ versionId: b.versionId }));
    expect(refused.code).toBe('invalid-request');
    expect(refused.message).toBe(`model version ${b.versionId} is the active liver model: activate another version first, then delete it`);
    await svc.activateModel({ task: 'liver', versionId: a.versionId });
    expect((await svc.deleteModel({ versionId: b.versionId })).versionId).toBe(b.versionId);
    await expect(stat(path.join(dir, 'ws', b.file))).rejects.toThrow(/ENOENT/);
    expect((await svc.listModels({ task: 'liver' })).map((m) => [m.versionId, m.active])).toEqual([[a.versionId, true]]);
    expect((await errorOf(svc.deleteModel({ versionId: b.versionId }))).code).toBe('not-found');
  });

  it('exports .m3d (the checkpoint as stored) and .pth (MedicalNet keys) to exports/ or a chosen path, never over a file unasked', async () => {
    const m = await svc.importWeights({ path: files.rightLung, task: 'nodule', note: 'to export', activate: false });
    const m3d = await svc.exportModel({ versionId: m.versionId, format: 'm3d' });
    expect(m3d.path).toBe(path.join(dir, 'ws', 'exports', `${m.versionId}.m3d`));
    expect((await readFile(m3d.path)).equals(await readFile(files.rightLung))).toBe(true);
    expect((await svc.exportModel({ versionId: m.versionId, format: 'm3d' })).path).toBe(path.join(dir, 'ws', 'exports', `${m.versionId}-2.m3d`));

    const dest = path.join(dir, 'out', 'exported.pth');
    expect((await svc.exportModel({ versionId: m.versionId, format: 'pth', path: dest })).path).toBe(dest);
    const ours = await loadWeights(files.rightLung);
    const back = await loadWeights(dest);
    expect(back.kind).toBe('pth');
    expect(back.topLevelKeys).toEqual(['state_dict']);
    expect([...back.stateDict.keys()]).toEqual([...ours.stateDict.keys()]);
    for (const [k, t] of ours.stateDict) expect(Array.from(back.stateDict.get(k)!.data as Float32Array).slice(0, 8), k).toEqual(Array.from(t.data as Float32Array).slice(0, 8));
    // The exported .pth imports again as a version.
    expect((await svc.importWeights({ path: dest, task: 'nodule', activate: false })).backbone).toBe('resnet10');

    expect((await errorOf(svc.exportModel({ versionId: m.versionId, format: 'pth', path: dest }))).message).toMatch(/already exists/);
    expect((await svc.exportModel({ versionId: m.versionId, format: 'pth', path: dest, overwrite: true })).path).toBe(dest);
    expect((await errorOf(svc.exportModel({ versionId: m.versionId, format: 'pth', path: path.join(dir, 'ws', 'models', 'x.pth') }))).code).toBe('forbidden-path');
    expect((await errorOf(svc.exportModel({ versionId: 'nodule-v99', format: 'pth' }))).code).toBe('not-found');

    if (torchAvailable('exportModel .pth read by PyTorch')) {
      const py = [
        'import sys, torch',
        'ck = torch.load(sys.argv[1], map_location="cpu")',
        'sd = ck["state_dict"]',
        'assert all(k.startswith("module.") for k in sd), list(sd)[:3]',
        'print(len(sd), tuple(sd["module.conv1.weight"].shape), float(sd["module.conv1.weight"].double().sum()))',
      ].join('\n');
      const r = spawnSync(PYTHON, ['-c', py, dest], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const [n, shape, sum] = r.stdout.trim().split(/ (?=\()|\) /);
      const conv1 = ours.stateDict.get('conv1.weight')!;
      expect(Number(n)).toBe(ours.stateDict.size);
      expect(shape).toBe(`(${conv1.shape.join(', ')}`);
      expect(Number(sum)).toBeCloseTo(Array.from(conv1.data as Float32Array).reduce((s, x) => s + x, 0), 3);
    }
  });
});

describe('rollback restores the previous predictions', () => {
  it('after activating an older version, running the task on the case predicts what that version predicted before', async () => {
    const c = await svc.addCase({ path: path.join(dir, 'chest.nii.gz') });
    const predict = async (): Promise<Uint8Array> => {
      const job = await svc.jobs.wait((await svc.runTask({ task: 'lung', caseId: c.caseId })).jobId);
      expect(job.state, job.error?.message).toBe('done');
      return new Uint8Array((await svc.loadLabel({ caseId: c.caseId }))!.labels);
    };
    const older = await svc.importWeights({ path: files.background, task: 'lung' });
    const first = await predict();
    const newer = await svc.importWeights({ path: files.rightLung, task: 'lung' });
    const second = await predict();
    expect(second.some((v, i) => v !== first[i])).toBe(true);

    await svc.activateModel({ task: 'lung', versionId: older.versionId });
    const third = await predict();
    expect(Buffer.from(third).equals(Buffer.from(first))).toBe(true);
    const authors = (await svc.listLabelVersions({ caseId: c.caseId })).map((v) => v.author);
    expect(authors).toEqual([`model:${older.versionId}`, `model:${newer.versionId}`, `model:${older.versionId}`]);
  }, 240_000);
});
