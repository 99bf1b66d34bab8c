/**
 * The cross-process workspace lock: one lock file per workspace, created exclusively (O_EXCL), so
 * two processes on one folder (two `med3d serve`, the app and `med3d call`, a batch run) take
 * turns at every manifest mutation: read the manifest, change it, write it, release.
 *
 *   <root>/.med3d-workspace.lock   {"pid":123,"hostname":"ws1","startedAt":"...","token":"..."}
 *
 * A holder killed with -9 leaves its lock file behind; it is stale when its pid is dead on this
 * host, or when it is older than any real hold (staleMs). Breaking a stale lock is serialised by a
 * second exclusive file, and removes the lock only if it still is the stale one that was judged,
 * so two waiters never both "take over" and run at once.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkspaceError } from './WorkspaceError';
import { atomicWriteFile } from '../util/atomicWrite';

export const LOCK_NAME = '.med3d-workspace.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** When the lock was taken (ISO 8601). */
  startedAt: string;
  /** Random per acquisition: release and takeover compare it, never just the pid. */
  token: string;
}

export interface WorkspaceLockOptions {
  /** Give up waiting for another holder after this long (ms, default 30 000). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its holder looks alive (ms, default 120 000); real holds last milliseconds to seconds. */
  staleMs?: number;
  /** Where takeovers are reported (default: stderr). */
  log?: (msg: string) => void;
}

const BREAK_SUFFIX = '.break';
/**
 * A lock file unreadable this long after creation is damaged (only possible where hard links are
 * missing and the lock is claimed empty first, see atomicWriteFile's noReplace).
 */
const UNREADABLE_GRACE_MS = 5_000;

/** Whether our host's process `pid` exists (EPERM: it does, owned by another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why a lock held by `owner` may be taken over, or null while it must be respected. Pure: the
 * caller supplies the clock, the host name and the liveness test.
 */
export function staleReason(owner: LockOwner, now: number, host: string, alive: (pid: number) => boolean, staleMs: number): string | null {
  if (owner.hostname === host && !alive(owner.pid)) return `its process ${owner.pid} is gone`;
  const age = now - Date.parse(owner.startedAt);
  if (!(age <= staleMs)) return `it is ${Number.isFinite(age) ? `${Math.round(age / 1000)} s` : 'of unknown age and'} old`;
  return null;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.startedAt === 'string' && typeof o.token === 'string' ? (o as LockOwner) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class WorkspaceLock {
  readonly file: string;
  private readonly timeoutMs: number;
  private readonly staleMs: number;
  private readonly log: (msg: string) => void;

  constructor(
    readonly root: string,
    opts: WorkspaceLockOptions = {},
  ) {
    this.file = path.join(root, LOCK_NAME);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.staleMs = opts.staleMs ?? 120_000;
    this.log = opts.log ?? ((m) => void process.stderr.write(`${m}\n`));
  }

  /** Run `fn` holding the lock; released afterwards whatever `fn` does. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const token = await this.acquire();
    try {
      return await fn();
    } finally {
      await this.release(token);
    }
  }

  private async acquire(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    const host = os.hostname();
    for (let attempt = 0; ; attempt++) {
      const owner: LockOwner = { pid: process.pid, hostname: host, startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
      try {
        // Content first, then the name (link, no replace): a holder killed at any point leaves
        // either no lock or a complete one naming its pid, never an empty one to wait out.
        await atomicWriteFile(this.file, JSON.stringify(owner), { noReplace: true, sync: false });
        return owner.token;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new WorkspaceError('internal', `cannot lock workspace ${this.root}: ${(err as Error).message}`, this.file);
      }
      const held = await this.readHolder();
      if (held) {
        const reason = held.owner
          ? staleReason(held.owner, Date.now(), host, pidAlive, this.staleMs)
          : Date.now() - held.mtimeMs > UNREADABLE_GRACE_MS
            ? 'it was never completely written'
            : null;
        if (reason !== null) {
          if (await this.breakStale(held.text)) this.log(`workspace ${this.root}: took over a stale lock (${reason}): ${held.text || '(empty)'}`);
          continue;
        }
        if (Date.now() > deadline) {
          const who = held.owner ? `process ${held.owner.pid} on ${held.owner.hostname} since ${held.owner.startedAt}` : 'a process';
          throw new WorkspaceError('internal', `workspace ${this.root} is busy: ${who} holds ${this.file}; try again, or delete that file if no Med3D process is using the workspace`, this.file);
        }
      }
      // Jittered backoff so two waiters do not retry in lockstep; short, since holds are short.
      await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
    }
  }

  /** The current lock file, or null when it vanished in the meantime. */
  private async readHolder(): Promise<{ text: string; owner: LockOwner | null; mtimeMs: number } | null> {
    try {
      const [text, st] = await Promise.all([fs.readFile(this.file, 'utf8'), fs.stat(this.file)]);
      return { text, owner: parseOwner(text), mtimeMs: st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new WorkspaceError('internal', `cannot read workspace lock ${this.file}: ${(err as Error).message}`, this.file);
    }
  }

  /** Remove the lock file if it still holds `staleText`; true when this call removed it. */
  private async breakStale(staleText: string): Promise<boolean> {
    const breaker = this.file + BREAK_SUFFIX;
    try {
      await (await fs.open(breaker, 'wx')).close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another waiter is breaking it; its breaker file only outlives it if it was killed mid-break.
      const st = await fs.stat(breaker).catch(() => null);
      if (st && Date.now() - st.mtimeMs > UNREADABLE_GRACE_MS) await fs.rm(breaker, { force: true });
      return false;
    }
    try {
      const now = await fs.readFile(this.file, 'utf8').catch(() => null);
      if (now !== staleText) return false;
      await fs.rm(this.file, { force: true });
      return true;
    } finally {
      await fs.rm(breaker, { force: true });
    }
  }

  private async release(token: string): Promise<void> {
    const held = await this.readHolder().catch(() => null);
    if (held?.owner?.token === token) {
      await fs.rm(this.file, { force: true });
    } else {
      this.log(`workspace ${this.root}: our lock was taken over while held (held longer than ${this.staleMs} ms?)`);
    }
  }
}
