/**
 * Queue and run long work (loading, inference, training, batch) as jobs: FIFO with bounded
 * concurrency, progress with ETA, cancellation through AbortSignal, failures kept as data
 * ({message, file}) so the UI shows which file went wrong. Emits JobInfo on every change
 * (throttled for progress) for onJobUpdate.
 */
import { ApiError, userErrorData } from '../../common/api/errors';
import { CodedError } from '../util/CodedError';
import { JobError } from './JobError';
import type { JsonValue } from '../../common/api/schema';
import type { JobInfo } from '../../common/api/types';
import { checkJobPaths, hasPathValues, refuseUndeclaredPaths, type JobPathPolicy } from './jobPathParams';
import { jobRegistry, type JobContext, type JobKindHandler, type JobRegistry } from './jobRegistry';
import { interruptedJobRecords, jobWorkDir, recordIdentity, removeJobRecord, writeJobRecord, type JobRecord } from './jobRecords';
import type { JobServices } from './JobServices';

export interface JobManagerOptions {
  registry?: JobRegistry;
  services: JobServices;
  /** How path parameters are checked (the service's PathGuard); without it, jobs with paths are refused. */
  paths?: JobPathPolicy;
  /** Jobs running at once (default 1: engine jobs saturate the CPU cores anyway). */
  concurrency?: number;
  /** Called on every state change and, throttled, on progress. */
  onUpdate?: (job: JobInfo) => void;
  /** Minimum milliseconds between progress updates of one job (default 100). */
  progressThrottleMs?: number;
  /** Finished jobs kept for listJobs (default 200). */
  keepFinished?: number;
  now?: () => number;
}

export interface StartJobOptions {
  kind: string;
  params?: JsonValue;
  caseId?: string;
  title?: string;
}

interface JobEntry {
  info: JobInfo;
  params: JsonValue;
  handler: JobKindHandler;
  controller: AbortController;
  startedMs: number | null;
  lastEmitMs: number;
  emitTimer: ReturnType<typeof setTimeout> | null;
  done: Promise<JobInfo>;
  resolveDone: (j: JobInfo) => void;
  /** Resumable kinds: the workspace holding the job's record and folder (null: not persisted). */
  root: string | null;
  resumed: boolean;
  /** Aborted by dispose (host shutting down): the record stays, the job is resumable. */
  shutdown: boolean;
  persistedMs: number;
}

/** How often a running resumable job's progress is written to its record. */
const PERSIST_EVERY_MS = 15_000;

function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export class JobManager {
  private readonly jobs = new Map<string, JobEntry>();
  /** Interrupted jobs the user discarded (their records are being removed). */
  private readonly discarded = new Set<string>();
  private readonly queue: JobEntry[] = [];
  private running = 0;
  private seq = 0;
  private readonly registry: JobRegistry;
  private readonly concurrency: number;
  private readonly throttle: number;
  private readonly keep: number;
  private readonly now: () => number;

  constructor(private readonly opts: JobManagerOptions) {
    this.registry = opts.registry ?? jobRegistry;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.throttle = opts.progressThrottleMs ?? 100;
    this.keep = opts.keepFinished ?? 200;
    this.now = opts.now ?? Date.now;
  }

  kinds(): string[] {
    return this.registry.list();
  }

  /**
   * Queue a job whose parameters may name files: declared path parameters are resolved through
   * the path policy first (refused outside the allowed folders, nothing queued), then validated.
   */
  async submit(o: StartJobOptions): Promise<string> {
    const handler = this.handler(o.kind);
    let params = o.params ?? null;
    if (hasPathValues(params, handler.pathParams)) {
      if (!this.opts.paths) throw new JobError('forbidden-path', `${o.kind}: this host accepts no file paths in job parameters`);
      params = await checkJobPaths(o.kind, params, handler.pathParams ?? {}, this.opts.paths);
    }
    return this.enqueue(handler, { ...o, params });
  }

  /**
   * Continue an interrupted resumable job (its process ended mid-run) under the same id: queued
   * with its original parameters and `ctx.resumed`, so the handler picks up its checkpoints.
   */
  resume(jobId: string): string {
    const live = this.jobs.get(jobId);
    if (live && (live.info.state === 'queued' || live.info.state === 'running')) throw new JobError('invalid-request', `job ${jobId} is ${live.info.state}: nothing to resume`);
    const rec = this.interrupted().find((r) => r.id === jobId);
    if (!rec) throw new JobError('not-found', `no interrupted job ${jobId} in this workspace (only resumable jobs whose process ended can be resumed)`);
    this.jobs.delete(jobId);
    return this.enqueue(this.handler(rec.kind), { kind: rec.kind, params: rec.params, caseId: rec.caseId, title: rec.title }, { id: rec.id, resumed: true });
  }

  /** Persisted records of resumable jobs that no process runs (none of this manager's live jobs). */
  private interrupted(): JobRecord[] {
    const root = this.opts.services.workspace()?.root;
    if (!root) return [];
    return interruptedJobRecords(root).filter((r) => {
      if (this.discarded.has(r.id)) return false;
      const e = this.jobs.get(r.id);
      return !e || e.info.finishedAt !== null;
    });
  }

  private interruptedInfo(r: JobRecord): JobInfo {
    return {
      id: r.id,
      kind: r.kind,
      state: 'interrupted',
      progress: r.progress,
      etaSeconds: null,
      message: `interrupted at: ${r.message} (resume to continue from the last checkpoint)`,
      title: r.title,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: null,
      resumable: true,
      ...(r.caseId ? { caseId: r.caseId } : {}),
    };
  }

  /**
   * Queue a job without file paths (tasks, fine-tuning, jobs started by jobs); throws JobError for
   * an unknown kind, parameters its handler refuses, or path parameters (those go through submit).
   */
  start(o: StartJobOptions): string {
    const handler = this.handler(o.kind);
    if (hasPathValues(o.params ?? null, handler.pathParams)) throw new JobError('invalid-request', `${o.kind}: jobs with file paths must be started through startJob, which checks them`);
    return this.enqueue(handler, o);
  }

  private handler(kind: string): JobKindHandler {
    const handler = this.registry.get(kind);
    if (!handler) {
      const known = this.registry.list();
      throw new JobError('invalid-request', `unknown job kind ${JSON.stringify(kind)} (registered: ${known.length ? known.join(', ') : 'none'})`);
    }
    return handler;
  }

  private enqueue(handler: JobKindHandler, o: StartJobOptions, how: { id?: string; resumed?: boolean } = {}): string {
    let params = o.params ?? null;
    refuseUndeclaredPaths(o.kind, params, handler.pathParams);
    try {
      // The kind's schema checks and types the parameters; `run` gets what it returns.
      if (handler.params) params = handler.params.parse(params, o.kind);
      handler.validate?.(params, o.caseId);
    } catch (err) {
      if (err instanceof ApiError || err instanceof CodedError) throw err;
      throw new JobError('invalid-request', `${o.kind}: ${(err as Error).message}`);
    }
    const id = how.id ?? `job-${++this.seq}-${Math.random().toString(36).slice(2, 8)}`;
    const title = o.title ?? handler.title?.(params, o.caseId) ?? (o.caseId ? `${o.kind} — ${o.caseId}` : o.kind);
    const info: JobInfo = {
      id,
      kind: o.kind,
      state: 'queued',
      progress: 0,
      etaSeconds: null,
      message: 'queued',
      title,
      createdAt: new Date(this.now()).toISOString(),
      startedAt: null,
      finishedAt: null,
      ...(o.caseId ? { caseId: o.caseId } : {}),
      ...(handler.resumable ? { resumable: true } : {}),
    };
    let resolveDone: (j: JobInfo) => void = () => undefined;
    const done = new Promise<JobInfo>((r) => (resolveDone = r));
    const root = handler.resumable ? (this.opts.services.workspace()?.root ?? null) : null;
    const entry: JobEntry = { info, params, handler, controller: new AbortController(), startedMs: null, lastEmitMs: 0, emitTimer: null, done, resolveDone, root, resumed: !!how.resumed, shutdown: false, persistedMs: 0 };
    this.jobs.set(id, entry);
    this.queue.push(entry);
    this.emit(entry);
    this.pump();
    this.prune();
    return id;
  }

  get(jobId: string): JobInfo {
    const e = this.jobs.get(jobId);
    if (!e) {
      const rec = this.interrupted().find((r) => r.id === jobId);
      if (rec) return this.interruptedInfo(rec);
      throw new JobError('not-found', `no job ${jobId}`);
    }
    return structuredClone(e.info);
  }

  /** The parameters a job was started with. */
  params(jobId: string): JsonValue {
    const e = this.jobs.get(jobId);
    if (!e) throw new JobError('not-found', `no job ${jobId}`);
    return structuredClone(e.params);
  }

  /** Live and finished jobs of this process, then interrupted resumable jobs of the open workspace. */
  list(): JobInfo[] {
    return [...[...this.jobs.values()].filter((e) => e.info.state !== 'cancelled' || !e.shutdown).map((e) => structuredClone(e.info)), ...this.interrupted().map((r) => this.interruptedInfo(r))];
  }

  /** Resolves with the final JobInfo (done, failed or cancelled). */
  wait(jobId: string): Promise<JobInfo> {
    const e = this.jobs.get(jobId);
    if (!e) return Promise.reject(new JobError('not-found', `no job ${jobId}`));
    return e.done.then((j) => structuredClone(j));
  }

  /** Cancel a queued or running job; an interrupted one is discarded (its record and checkpoints removed). */
  cancel(jobId: string): void {
    const root = this.opts.services.workspace()?.root;
    const rec = !this.jobs.has(jobId) && root ? this.interrupted().find((r) => r.id === jobId) : undefined;
    if (rec && root) {
      this.discarded.add(jobId);
      void removeJobRecord(root, jobId).catch(() => undefined);
      this.opts.onUpdate?.({ ...this.interruptedInfo(rec), state: 'cancelled', message: 'discarded', finishedAt: new Date(this.now()).toISOString() });
      return;
    }
    const e = this.jobs.get(jobId);
    if (!e) throw new JobError('not-found', `no job ${jobId}`);
    if (e.info.state === 'queued') {
      this.queue.splice(this.queue.indexOf(e), 1);
      e.controller.abort();
      this.finish(e, 'cancelled', { message: 'cancelled before it started' });
    } else if (e.info.state === 'running') {
      e.info.message = 'cancelling…';
      e.controller.abort();
      this.emit(e);
    }
  }

  /** Cancel everything (app shutdown) and wait for running handlers to return; resumable jobs stay resumable. */
  async dispose(): Promise<void> {
    const all = [...this.jobs.values()];
    for (const e of all) {
      if (e.info.state !== 'queued' && e.info.state !== 'running') continue;
      e.shutdown = e.info.state === 'running' && e.root !== null;
      this.cancel(e.info.id);
    }
    await Promise.all(all.map((e) => e.done));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length) {
      const e = this.queue.shift() as JobEntry;
      this.running++;
      void this.runEntry(e).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runEntry(e: JobEntry): Promise<void> {
    e.startedMs = this.now();
    e.info.state = 'running';
    e.info.startedAt = new Date(e.startedMs).toISOString();
    e.info.message = 'starting';
    this.emit(e);
    const signal = e.controller.signal;
    const persist = async (): Promise<void> => {
      if (!e.root) return;
      e.persistedMs = this.now();
      const rec: JobRecord = { id: e.info.id, kind: e.info.kind, params: e.params, ...(e.info.caseId ? { caseId: e.info.caseId } : {}), title: e.info.title, createdAt: e.info.createdAt, startedAt: e.info.startedAt ?? e.info.createdAt, ...recordIdentity(), progress: e.info.progress, message: e.info.message };
      await writeJobRecord(e.root, rec);
    };
    if (e.root) {
      try {
        await persist();
      } catch (err) {
        // Not fatal: the job runs, it just cannot be resumed after a crash.
        e.info.message = `starting (not resumable: ${(err as Error).message})`;
        e.root = null;
      }
    }
    const ctx: JobContext = {
      jobId: e.info.id,
      kind: e.info.kind,
      params: e.params,
      caseId: e.info.caseId,
      signal,
      services: this.opts.services,
      ...(e.root ? { workDir: jobWorkDir(e.root, e.info.id) } : {}),
      resumed: e.resumed,
      shuttingDown: () => e.shutdown,
      throwIfCancelled: () => {
        if (signal.aborted) throw abortError();
      },
      progress: (fraction, message) => {
        if (e.info.state !== 'running') return;
        const p = Math.min(1, Math.max(e.info.progress, Number.isFinite(fraction) ? fraction : 0));
        e.info.progress = p;
        if (message !== undefined) e.info.message = message;
        e.info.etaSeconds = this.eta(e);
        this.emitThrottled(e);
        if (e.root && this.now() - e.persistedMs >= PERSIST_EVERY_MS) void persist().catch(() => undefined);
      },
      curve: (name, step, value) => {
        if (e.info.state !== 'running' || !Number.isFinite(value)) return;
        const curves = (e.info.curves ??= {});
        (curves[name] ??= []).push([step, value]);
        this.emitThrottled(e);
      },
    };
    let ending: [state: 'done' | 'failed' | 'cancelled', extra: { result?: JsonValue; error?: JobInfo['error']; message?: string }];
    try {
      const result = await e.handler.run(ctx);
      // A cancelled job may still return what it kept (e.g. fine-tuning's candidate version).
      ending = signal.aborted ? ['cancelled', { message: 'cancelled', ...(result !== undefined ? { result } : {}) }] : ['done', { result: result ?? null }];
    } catch (err) {
      ending = signal.aborted ? ['cancelled', { message: 'cancelled' }] : ['failed', { error: userErrorData(e.info.kind, err) }];
    }
    // A job that ended is no longer resumable, unless the host stopped it on the way out.
    if (e.root && !e.shutdown) await removeJobRecord(e.root, e.info.id).catch(() => undefined);
    this.finish(e, ...ending);
  }

  /** Linear extrapolation of elapsed time; unknown until there is a little progress to go on. */
  private eta(e: JobEntry): number | null {
    if (e.startedMs === null) return null;
    const p = e.info.progress;
    const elapsed = (this.now() - e.startedMs) / 1000;
    if (p <= 0.01 || elapsed < 0.5) return null;
    if (p >= 1) return 0;
    return Math.round((elapsed * (1 - p)) / p);
  }

  private finish(e: JobEntry, state: 'done' | 'failed' | 'cancelled', extra: { result?: JsonValue; error?: JobInfo['error']; message?: string }): void {
    e.info.state = state;
    e.info.finishedAt = new Date(this.now()).toISOString();
    e.info.etaSeconds = state === 'done' ? 0 : null;
    if (state === 'done') {
      e.info.progress = 1;
      e.info.message = 'done';
      e.info.result = extra.result ?? null;
    } else if (state === 'failed') {
      e.info.error = extra.error;
      e.info.message = extra.error?.message ?? 'failed';
    } else {
      e.info.error = { code: 'cancelled', message: extra.message ?? 'cancelled' };
      e.info.message = 'cancelled';
      if (extra.result !== undefined) e.info.result = extra.result;
    }
    if (e.emitTimer) clearTimeout(e.emitTimer);
    e.emitTimer = null;
    this.emit(e);
    e.resolveDone(structuredClone(e.info));
    this.prune();
  }

  private emitThrottled(e: JobEntry): void {
    const wait = e.lastEmitMs + this.throttle - this.now();
    if (wait <= 0) this.emit(e);
    else if (!e.emitTimer) {
      e.emitTimer = setTimeout(() => {
        e.emitTimer = null;
        if (e.info.state === 'running') this.emit(e);
      }, wait);
    }
  }

  private emit(e: JobEntry): void {
    e.lastEmitMs = this.now();
    this.opts.onUpdate?.(structuredClone(e.info));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.info.finishedAt !== null);
    for (const e of finished.slice(0, Math.max(0, finished.length - this.keep))) this.jobs.delete(e.info.id);
  }
}
