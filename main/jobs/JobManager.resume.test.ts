import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JobManager } from './JobManager';
import { JobRegistry, type JobContext } from './jobRegistry';
import type { JobServices } from './JobServices';
import type { Workspace } from '../workspace/Workspace';

/**
 * Resumable jobs: a record in <workspace>/jobs while running; an ended job removes it; a job the
 * host stopped on its way out (dispose) stays, is listed as interrupted and resume() reruns it
 * under the same id with ctx.resumed and the same folder.
 */
const root = mkdtempSync(path.join(tmpdir(), 'med3d-jobs-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const services: JobServices = {
  workspace: () => ({ root }) as Workspace,
  loadCaseVolume: () => Promise.reject(new Error('no volumes here')),
  registerVolume: () => {
    throw new Error('not here');
  },
  startJob: () => {
    throw new Error('not here');
  },
};

/** Counts to params.n, one step per 5 ms, keeping the last step in its folder (a checkpoint). */
function manager(seen: Array<{ resumed: boolean; from: number }>): JobManager {
  const reg = new JobRegistry();
  reg.register('count', {
    resumable: true,
    run: async (ctx: JobContext) => {
      const file = path.join(ctx.workDir!, 'step.txt');
      let step = ctx.resumed && existsSync(file) ? Number(await readFile(file, 'utf8')) : 0;
      seen.push({ resumed: !!ctx.resumed, from: step });
      const n = (ctx.params as { n: number }).n;
      while (step < n) {
        if (ctx.signal.aborted) throw new Error(ctx.shuttingDown?.() ? 'stopped for shutdown' : 'cancelled');
        await new Promise((r) => setTimeout(r, 5));
        step++;
        await writeFile(file, String(step));
        ctx.progress(step / n, `step ${step}`);
      }
      return { step };
    },
  });
  return new JobManager({ registry: reg, services, progressThrottleMs: 0 });
}

describe('JobManager: resumable jobs', () => {
  it('a finished job leaves no record; a cancelled one neither', async () => {
    const jm = manager([]);
    const id = jm.start({ kind: 'count', params: { n: 3 } });
    expect(jm.get(id).resumable).toBe(true);
    expect((await jm.wait(id)).state).toBe('done');
    expect(existsSync(path.join(root, 'jobs', `${id}.json`))).toBe(false);
    expect(existsSync(path.join(root, 'jobs', id))).toBe(false);
    const c = jm.start({ kind: 'count', params: { n: 10_000 } });
    await new Promise((r) => setTimeout(r, 50));
    jm.cancel(c);
    expect((await jm.wait(c)).state).toBe('cancelled');
    expect(jm.list().filter((j) => j.state === 'interrupted')).toEqual([]);
  });

  it('stopped by dispose: interrupted for the next manager, resumed under the same id from its checkpoint', async () => {
    const seen: Array<{ resumed: boolean; from: number }> = [];
    const first = manager(seen);
    const id = first.start({ kind: 'count', params: { n: 60 } });
    for (let t = 0; t < 200 && first.get(id).progress < 0.1; t++) await new Promise((r) => setTimeout(r, 5));
    await first.dispose();
    expect(existsSync(path.join(root, 'jobs', `${id}.json`))).toBe(true);

    const second = manager(seen);
    const listed = second.list();
    expect(listed).toEqual([expect.objectContaining({ id, kind: 'count', state: 'interrupted', resumable: true, finishedAt: null })]);
    expect(second.get(id).state).toBe('interrupted');
    expect(() => second.resume('job-0-nothing')).toThrow(/no interrupted job/);
    expect(second.resume(id)).toBe(id);
    expect(() => second.resume(id)).toThrow(/nothing to resume/);
    const done = await second.wait(id);
    expect(done.state).toBe('done');
    expect(done.result).toEqual({ step: 60 });
    expect(seen[0]).toEqual({ resumed: false, from: 0 });
    expect(seen[1]!.resumed).toBe(true);
    expect(seen[1]!.from).toBeGreaterThan(0);
    expect(second.list().map((j) => j.state)).toEqual(['done']);
    expect(existsSync(path.join(root, 'jobs', `${id}.json`))).toBe(false);
  });

  it('cancelling an interrupted job discards it: record and folder removed, gone from the list', async () => {
    const first = manager([]);
    const id = first.start({ kind: 'count', params: { n: 10_000 } });
    for (let t = 0; t < 200 && first.get(id).progress === 0; t++) await new Promise((r) => setTimeout(r, 5));
    await first.dispose();
    const second = manager([]);
    expect(second.get(id).state).toBe('interrupted');
    second.cancel(id);
    expect(second.list()).toEqual([]);
    for (let t = 0; t < 100 && existsSync(path.join(root, 'jobs', id)); t++) await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(path.join(root, 'jobs', `${id}.json`))).toBe(false);
    expect(existsSync(path.join(root, 'jobs', id))).toBe(false);
    expect(() => second.resume(id)).toThrow(/no interrupted job/);
  });
});
