import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCK_NAME, WorkspaceLock, staleReason, type LockOwner } from './WorkspaceLock';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'med3d-lock-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has already exited (so certainly not alive). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

const owner = (o: Partial<LockOwner>): LockOwner => ({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'abcd', ...o });

describe('staleReason', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const alive = (pid: number): boolean => pid === 10;
  it.each([
    ['live pid on this host, young', { pid: 10, hostname: 'h' }, 0, null],
    ['dead pid on this host', { pid: 11, hostname: 'h' }, 0, 'its process 11 is gone'],
    ['dead-looking pid on another host, young (cannot judge: respected)', { pid: 11, hostname: 'other' }, 0, null],
    ['another host, older than staleMs', { pid: 11, hostname: 'other' }, 61_000, 'it is 61 s old'],
    ['live pid, older than staleMs (pid reuse / hung holder)', { pid: 10, hostname: 'h' }, 61_000, 'it is 61 s old'],
  ])('%s', (_t, o, age, want) => {
    expect(staleReason(owner({ ...o, startedAt: new Date(t0).toISOString() }), t0 + age, 'h', alive, 60_000)).toBe(want);
  });
  it('an unparseable start time is stale', () => {
    expect(staleReason(owner({ hostname: 'x', startedAt: 'garbage' }), t0, 'h', alive, 60_000)).toMatch(/unknown age/);
  });
});

describe('WorkspaceLock', () => {
  it('is exclusive: holders run one at a time, and the lock file is gone afterwards', async () => {
    const a = new WorkspaceLock(dir);
    const b = new WorkspaceLock(dir);
    let inside = 0;
    let maxInside = 0;
    const order: string[] = [];
    const job = (l: WorkspaceLock, name: string) =>
      l.run(async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        const held = JSON.parse(await fs.readFile(path.join(dir, LOCK_NAME), 'utf8')) as LockOwner;
        expect(held).toMatchObject({ pid: process.pid, hostname: os.hostname() });
        await new Promise((r) => setTimeout(r, 15));
        order.push(name);
        inside--;
      });
    await Promise.all([job(a, 'a1'), job(b, 'b1'), job(a, 'a2'), job(b, 'b2')]);
    expect(maxInside).toBe(1);
    expect(order.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    await expect(fs.stat(path.join(dir, LOCK_NAME))).rejects.toThrow(/ENOENT/);
  });

  it('releases the lock when the holder throws', async () => {
    const l = new WorkspaceLock(dir);
    await expect(l.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await l.run(async () => 7)).toBe(7);
  });

  it('takes over a lock whose process died (kill -9), and says so', async () => {
    const stale = JSON.stringify(owner({ pid: deadPid(), token: 'dead' }));
    await fs.writeFile(path.join(dir, LOCK_NAME), stale);
    const logs: string[] = [];
    const l = new WorkspaceLock(dir, { timeoutMs: 2000, log: (m) => logs.push(m) });
    expect(await l.run(async () => 'ran')).toBe('ran');
    expect(logs.join('\n')).toMatch(/took over a stale lock \(its process \d+ is gone\)/);
  });

  it('takes over a lock older than staleMs, and one left empty by a process killed while creating it', async () => {
    const file = path.join(dir, LOCK_NAME);
    await fs.writeFile(file, JSON.stringify(owner({ startedAt: new Date(Date.now() - 10_000).toISOString() })));
    expect(await new WorkspaceLock(dir, { staleMs: 5_000, log: () => undefined }).run(async () => 1)).toBe(1);
    await fs.writeFile(file, '');
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(file, old, old);
    expect(await new WorkspaceLock(dir, { log: () => undefined }).run(async () => 2)).toBe(2);
  });

  it('waits for a live holder, then gives up with a one-line error naming the holder and the lock file', async () => {
    const file = path.join(dir, LOCK_NAME);
    await fs.writeFile(file, JSON.stringify(owner({ token: 'live' })));
    const t = Date.now();
    const err = (await new WorkspaceLock(dir, { timeoutMs: 300 }).run(async () => 1).catch((e: unknown) => e)) as Error;
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    expect(err.message).toBe(`workspace ${dir} is busy: process ${process.pid} on ${os.hostname()} since ${JSON.parse(await fs.readFile(file, 'utf8')).startedAt} holds ${file}; try again, or delete that file if no Med3D process is using the workspace`);
    // The live holder's lock is untouched.
    expect(JSON.parse(await fs.readFile(file, 'utf8')).token).toBe('live');
  });
});
