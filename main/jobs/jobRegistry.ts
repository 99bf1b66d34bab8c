/**
 * Job kinds by name. Task code registers its kinds ('predict', 'finetune', 'batch', ...) here
 * without touching the job manager: `registry.register('finetune', { run: async (ctx) => ... })` (a job module's `register(registry)`, see loadJobKinds).
 */
import type { JsonValue, Schema } from '../../common/api/schema';
import { checkJobName } from '../engine/worker/jobName';
import type { JobPathParams } from './jobPathParams';
import type { JobServices } from './JobServices';

/** What a job kind's `run` gets: its parameters (typed by the kind's schema) and the host's services. */
export interface JobContext<P = JsonValue> {
  readonly jobId: string;
  readonly kind: string;
  /** Parameters as given to startJob, as the kind's `params` schema returned them (else as given, after `validate`). */
  readonly params: P;
  readonly caseId?: string;
  /** Aborted when the user cancels; pass it on to loops and engine calls. */
  readonly signal: AbortSignal;
  /** Throws an AbortError when cancelled: call it between steps. */
  throwIfCancelled(): void;
  /** Report progress 0..1 (monotone; ETA is derived from it) and what is happening now. */
  progress(fraction: number, message?: string): void;
  /** A problem that does not stop the job (one case of a batch failed): the CLI prints it on stderr, the app shows it as the message. */
  warn?(message: string): void;
  /** Append a point to a named curve (e.g. 'loss', 'valDice') shown as a plot in the UI. */
  curve(name: string, step: number, value: number): void;
  /** Workspace, volumes, engine worker... provided by the host (see JobServices). */
  readonly services: JobServices;
  /**
   * Resumable kinds with a workspace open: the job's own folder (`<workspace>/jobs/<id>/`) for
   * checkpoints, kept until the job ends, and whether this run continues an interrupted one.
   */
  readonly workDir?: string;
  readonly resumed?: boolean;
  /** True when the signal was aborted because the host is shutting down (the job stays resumable), not by the user. */
  shuttingDown?(): boolean;
}

export interface JobKindHandler<P = JsonValue> {
  /**
   * The parameters' schema (common/api/schema's `v`), checked when the job is started (after path
   * parameters are resolved) and on resume; `run` gets the typed result as `ctx.params`.
   */
  readonly params?: Schema<P>;
  /**
   * Parameters that are file or folder paths, e.g. `{ in: 'read', out: 'write' }`. The job
   * manager checks them against the allowed folders before the job is queued and passes the
   * handler the resolved absolute paths; path-like values in undeclared parameters are refused.
   */
  readonly pathParams?: JobPathParams;
  /** Check the parameters when the job is started; throw to refuse (the message becomes an 'invalid-request' error). */
  validate?(params: P, caseId: string | undefined): void;
  /** Short human title, e.g. 'Lung segmentation — case-0003'. */
  title?(params: P, caseId: string | undefined): string;
  /**
   * Jobs of this kind survive their process: persisted in the workspace while running (jobRecords),
   * listed as 'interrupted' after a crash or app close, continued by JobManager.resume with `ctx.resumed`.
   */
  readonly resumable?: boolean;
  /**
   * Do the work. Heavy computation must not block the host's event loop: run the engine in the
   * engine worker (main/engine/worker) and await it. Resolve with a JSON result (e.g.
   * {labelVersion: 4} or {modelVersion: 'lung-v3'}); throw to fail (errors with a `file`
   * property keep it, so the UI shows which file failed).
   */
  run(ctx: JobContext<P>): Promise<JsonValue | void>;
}

export class JobRegistry {
  private readonly kinds = new Map<string, JobKindHandler>();

  register<P = JsonValue>(kind: string, handler: JobKindHandler<P>): void {
    checkJobName(kind);
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} is already registered`);
    // Stored without its parameter type: the job manager hands `run` what `handler.params` parsed.
    this.kinds.set(kind, handler as unknown as JobKindHandler);
  }

  /** Replace or add (tests, hot reload). */
  set<P = JsonValue>(kind: string, handler: JobKindHandler<P>): void {
    this.kinds.delete(kind);
    this.register(kind, handler);
  }

  get(kind: string): JobKindHandler | undefined {
    return this.kinds.get(kind);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  list(): string[] {
    return [...this.kinds.keys()].sort();
  }
}

/** The process-wide registry the app's JobManager uses. */
export const jobRegistry = new JobRegistry();
