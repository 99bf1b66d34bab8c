import { describe, it, expect } from 'vitest';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JobManager } from './JobManager';
import { JobRegistry } from './jobRegistry';
import { loadJobKinds } from './loadJobKinds';
import type { JobServices } from './JobServices';
import type { JobInfo } from '../../common/api/types';

const services: JobServices = {
  workspace: () => null,
  loadCaseVolume: () => Promise.reject(new Error('no volumes here')),
  registerVolume: () => {
    throw new Error('not here');
  },
  startJob: () => {
    throw new Error('not here');
  },
};

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setup(concurrency = 1): { jm: JobManager; reg: JobRegistry; updates: JobInfo[] } {
  const reg = new JobRegistry();
  const updates: JobInfo[] = [];
  const jm = new JobManager({ registry: reg, services, concurrency, onUpdate: (j) => updates.push(j), progressThrottleMs: 0 });
  return { jm, reg, updates };
}

describe('JobManager', () => {
  it('runs a registered kind to done with progress, curves and result', async () => {
    const { jm, reg, updates } = setup();
    reg.register('count', {
      title: (p) => `count to ${String((p as { n: number }).n)}`,
      run: async (ctx) => {
        const n = (ctx.params as { n: number }).n;
        for (let i = 1; i <= n; i++) {
          await tick(1);
          ctx.curve('loss', i, 1 / i);
          ctx.progress(i / n, `step ${i}/${n}`);
        }
        return { total: n };
      },
    });
    const id = jm.start({ kind: 'count', params: { n: 5 }, caseId: 'case-0001' });
    const final = await jm.wait(id);
    expect(final).toMatchObject({ state: 'done', progress: 1, result: { total: 5 }, title: 'count to 5', caseId: 'case-0001', etaSeconds: 0 });
    expect(final.curves?.loss).toHaveLength(5);
    const states = updates.map((u) => u.state);
    expect(states[0]).toBe('queued');
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('done');
    expect(updates.some((u) => u.message === 'step 3/5')).toBe(true);
    // progress never goes backwards
    const ps = updates.map((u) => u.progress);
    expect(ps).toEqual([...ps].sort((a, b) => a - b));
  });

  it('refuses unknown kinds and bad params at start, naming the registered kinds', () => {
    const { jm, reg } = setup();
    reg.register('predict', {
      validate: (p) => {
        if (typeof p !== 'object' || p === null || !('task' in p)) throw new Error('params.task is required');
      },
      run: async () => null,
    });
    expect(() => jm.start({ kind: 'nope' })).toThrow('unknown job kind "nope" (registered: predict)');
    expect(() => jm.start({ kind: 'predict', params: {} })).toThrow('predict: params.task is required');
    expect(() => reg.register('predict', { run: async () => null })).toThrow(/already registered/);
  });

  it('path parameters: submit checks them through the host policy; start and hosts without a policy refuse them', async () => {
    const { jm, reg } = setup();
    reg.register('export', { pathParams: { out: 'write' }, run: async (ctx) => ctx.params });
    await expect(jm.submit({ kind: 'export', params: { out: '/anywhere' } })).rejects.toThrow('this host accepts no file paths');
    expect(() => jm.start({ kind: 'export', params: { out: '/anywhere' } })).toThrow('must be started through startJob');
    const checked = new JobManager({ registry: reg, services, paths: { resolve: async (p) => `/checked${p}` } });
    expect((await checked.wait(await checked.submit({ kind: 'export', params: { out: '/x' } }))).result).toEqual({ out: '/checked/x' });
    reg.register('plain', { run: async () => null });
    expect(() => jm.start({ kind: 'plain', params: { hidden: '/etc/passwd' } })).toThrow('looks like a path');
    await expect(checked.submit({ kind: 'plain', params: { hidden: '/etc/passwd' } })).rejects.toThrow('looks like a path');
  });

  it('an unexpected error in a job becomes one line naming the job kind', async () => {
    const { jm, reg } = setup();
    reg.register('crash', {
      run: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'dims')\n    at run (x.ts:1:1)");
      },
    });
    const j = await jm.wait(jm.start({ kind: 'crash' }));
    expect(j.error).toEqual({ code: 'internal', message: "crash failed: Cannot read properties of undefined (reading 'dims')" });
  });

  it('keeps failures as data with the file concerned', async () => {
    const { jm, reg } = setup();
    reg.register('load', {
      run: async () => {
        throw Object.assign(new Error('cannot read /data/x.nii: truncated gzip stream'), { file: '/data/x.nii' });
      },
    });
    const j = await jm.wait(jm.start({ kind: 'load' }));
    expect(j.state).toBe('failed');
    expect(j.error).toEqual({ code: 'bad-file', message: 'cannot read /data/x.nii: truncated gzip stream', file: '/data/x.nii' });
  });

  it('cancels running jobs through the AbortSignal and queued jobs immediately', async () => {
    const { jm, reg } = setup(1);
    let sawAbort = false;
    reg.register('loop', {
      run: async (ctx) => {
        for (;;) {
          await tick(2);
          if (ctx.signal.aborted) sawAbort = true;
          ctx.throwIfCancelled();
        }
      },
    });
    const a = jm.start({ kind: 'loop' });
    const b = jm.start({ kind: 'loop' });
    await tick(10);
    expect(jm.get(a).state).toBe('running');
    expect(jm.get(b).state).toBe('queued');
    jm.cancel(b);
    expect(jm.get(b).state).toBe('cancelled');
    jm.cancel(a);
    const fa = await jm.wait(a);
    expect(fa.state).toBe('cancelled');
    expect(sawAbort).toBe(true);
  });

  it('runs FIFO with bounded concurrency', async () => {
    const { jm, reg } = setup(2);
    let live = 0;
    let peak = 0;
    const order: number[] = [];
    reg.register('w', {
      run: async (ctx) => {
        live++;
        peak = Math.max(peak, live);
        order.push((ctx.params as { i: number }).i);
        await tick(5);
        live--;
      },
    });
    const ids = [0, 1, 2, 3, 4].map((i) => jm.start({ kind: 'w', params: { i } }));
    await Promise.all(ids.map((id) => jm.wait(id)));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('estimates the time left from progress', async () => {
    let t = 0;
    const reg = new JobRegistry();
    const seen: JobInfo[] = [];
    const jm = new JobManager({ registry: reg, services, now: () => t, progressThrottleMs: 0, onUpdate: (j) => seen.push(j) });
    let release: () => void = () => undefined;
    reg.register('slow', {
      run: (ctx) =>
        new Promise((resolve) => {
          t = 10_000;
          ctx.progress(0.25);
          release = () => resolve(null);
        }),
    });
    const id = jm.start({ kind: 'slow' });
    await tick(5);
    expect(jm.get(id).etaSeconds).toBe(30);
    release();
    await jm.wait(id);
  });

  it('discovers *.job.ts modules that export register()', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'med3d-jobs-'));
    try {
      await mkdir(path.join(dir, 'lung'));
      await writeFile(path.join(dir, 'lung', 'predict.job.mjs'), "export function register(r) { r.register('predict-test', { run: async () => 42 }); }\n");
      await writeFile(path.join(dir, 'broken.job.mjs'), 'export const nothing = 1;\n');
      const reg = new JobRegistry();
      const errors: string[] = [];
      const files = await loadJobKinds({ registry: reg, tasksDir: dir, onError: (f, e) => errors.push(`${path.basename(f)}: ${(e as Error).message}`) });
      expect(files.map((f) => path.basename(f))).toEqual(['predict.job.mjs']);
      expect(reg.list()).toEqual(['predict-test']);
      expect(errors).toEqual(['broken.job.mjs: does not export register(registry)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
