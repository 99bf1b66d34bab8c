import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { generateCtPhantom } from '../../tasks/phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { Workspace } from '../../workspace/Workspace';

/**
 * `med3d call fineTune` / `resumeJob` through the real CLI on a workspace of phantom CTs: the call
 * waits for the job and prints its result; a kill -9 mid-training leaves the job interrupted and
 * resumeJob from a new process finishes it.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-finetune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A workspace with `n` phantom cases whose lung masks are verified labels (set up through the CLI too). */
async function workspace(name: string, n: number): Promise<string> {
  const ws = path.join(dir, name);
  for (let seed = 1; seed <= n; seed++) {
    const ph = generateCtPhantom({ dims: [40, 40, 32], seed, nodules: 0 });
    const scan = path.join(dir, `${name}-${seed}.nii.gz`);
    const mask = path.join(dir, `${name}-${seed}-lungs.nii.gz`);
    await writeNifti(scan, { ...ph.ct, data: Int16Array.from(ph.ct.data) });
    await writeNifti(mask, ph.truth.lungs);
    const add = med3d('call', 'addCase', JSON.stringify({ path: scan }), '-w', ws);
    expect(add.code, add.stderr).toBe(0);
    const { caseId } = JSON.parse(add.stdout) as { caseId: string };
    const imp = med3d('call', 'importLabel', JSON.stringify({ caseId, path: mask }), '-w', ws);
    expect(imp.code, imp.stderr).toBe(0);
    expect(med3d('call', 'setCaseStatus', JSON.stringify({ caseId, status: 'verified' }), '-w', ws).code).toBe(0);
  }
  return ws;
}

/** The same, written directly (faster: no process per step) for tests about something else. */
async function workspaceDirect(name: string, n: number): Promise<string> {
  const ws = await Workspace.open(path.join(dir, name), { create: true, log: () => undefined });
  for (let seed = 1; seed <= n; seed++) {
    const ph = generateCtPhantom({ dims: [40, 40, 32], seed, nodules: 0 });
    const scan = path.join(dir, `${name}-${seed}.nii.gz`);
    await writeNifti(scan, { ...ph.ct, data: Int16Array.from(ph.ct.data) });
    const c = await ws.addCase(scan);
    await ws.setCaseGrid(c.caseId, { dims: [...ph.ct.dims] as [number, number, number], affine: Array.from(ph.ct.affine), spacing: [...ph.ct.spacing] as [number, number, number] });
    await ws.saveLabel(c.caseId, ph.truth.lungs.data as Uint8Array, { status: 'verified', author: 'user' });
  }
  return ws.root;
}

describe('med3d call fineTune (headless never-worse fine-tuning)', () => {
  let one: string;
  beforeAll(async () => {
    one = await workspace('one', 1);
  }, 120_000);

  it('waits for the job and prints the result; with one verified case the version is registered, not promoted', () => {
    const r = med3d('call', 'fineTune', JSON.stringify({ task: 'lung', steps: 1 }), '-w', one);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { modelVersion: string; promoted: boolean; decision: string; note: string };
    expect(res).toMatchObject({ modelVersion: 'lung-v1', promoted: false, decision: 'no-validation' });
    expect(res.note).toMatch(/validation is impossible with fewer than two verified cases/);
    expect(r.stderr).toMatch(/Fine-tune lung model from corrections: done 100%/);
    const models = JSON.parse(med3d('call', 'listModels', JSON.stringify({ task: 'lung' }), '-w', one).stdout) as Array<Record<string, unknown>>;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ versionId: 'lung-v1', origin: 'finetune', active: false, trainingCases: ['case-0001'] });
    const bad = med3d('call', 'fineTune', JSON.stringify({ task: 'lung', from: 'lung-v7' }), '-w', one);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/no model version lung-v7/);
  }, 120_000);

  it('Ctrl-C while waiting: the job writes its checkpoint, stays resumable, and the error says how to continue', async () => {
    const params = { task: 'lung', minutes: 1, patch: [16, 16, 16], spacingMm: [16, 16, 16], width: 2 };
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), 'call', 'startJob', JSON.stringify({ kind: 'finetune', params }), '-w', one], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let t = 0; t < 900 && !/step \d+/.test(stderr); t++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(1);
    const m = /continue it with: med3d call resumeJob '(\{"jobId":"[^"]+"\})' -w /.exec(stderr);
    expect(m, stderr).not.toBeNull();
    const { jobId } = JSON.parse(m![1]!) as { jobId: string };
    expect(existsSync(path.join(one, 'jobs', jobId, 'checkpoint.m3d'))).toBe(true);
    const jobs = JSON.parse(med3d('call', 'listJobs', '-w', one).stdout) as Array<{ id: string; state: string }>;
    expect(jobs).toEqual([expect.objectContaining({ id: jobId, state: 'interrupted' })]);
  }, 120_000);

  it('kill -9 mid-training: listJobs shows the job interrupted, resumeJob in a new process finishes it', async () => {
    const ws = await workspaceDirect('killed', 2);
    const params = { task: 'lung', minutes: 0.15, patch: [16, 16, 16], spacingMm: [16, 16, 16], width: 2 };
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), 'call', 'startJob', JSON.stringify({ kind: 'finetune', params }), '-w', ws], { cwd: dir, stdio: 'ignore' });
    const checkpoint = (): string | undefined => {
      const jobs = path.join(ws, 'jobs');
      const ids = existsSync(jobs) ? readdirSync(jobs).filter((f) => !f.endsWith('.json')) : [];
      return ids.find((id) => existsSync(path.join(jobs, id, 'checkpoint.m3d')));
    };
    for (let t = 0; t < 900 && !checkpoint(); t++) await new Promise((r) => setTimeout(r, 100));
    const jobId = checkpoint();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(jobId).toBeDefined();

    const list = med3d('call', 'listJobs', '-w', ws);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: jobId, kind: 'finetune', state: 'interrupted', resumable: true })]);
    const resumed = med3d('call', 'resumeJob', JSON.stringify({ jobId }), '-w', ws);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ modelVersion: 'lung-v1', baseline: 'cold-start' });
    expect(JSON.parse(med3d('call', 'listJobs', '-w', ws).stdout)).toEqual([]);
  }, 120_000);
});
