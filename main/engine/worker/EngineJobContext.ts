import type { JobProgress } from './protocol';

/** Thrown (or returned as error data) when a job is cancelled. */
export class JobCancelledError extends Error {
  constructor(message = 'job cancelled') {
    super(message);
    this.name = 'JobCancelledError';
  }
}

/**
 * What an engine-worker job gets besides its payload (the app's job kinds get a JobContext,
 * main/jobs/jobRegistry; they call engine jobs through EngineWorker.run).
 */
export interface EngineJobContext {
  /** Aborted when the caller cancels; long jobs check it (or call `checkpoint`) between steps. */
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
  /** Transfer these buffers with the result instead of copying them. */
  transfer(...buffers: ArrayBuffer[]): void;
  /**
   * Lets queued messages (cancel) in and throws JobCancelledError when cancelled. Call it between
   * heavy synchronous steps: a worker cannot see a cancel while a native kernel runs.
   */
  checkpoint(): Promise<void>;
}

/**
 * Any engine job: `(payload, ctx) => result`, payload and result structured-clonable data. A job
 * taking payload P is assignable here (parameters are contravariant).
 */
export type AnyEngineJob = (payload: never, ctx: EngineJobContext) => unknown;

/**
 * Engine jobs by name, e.g. `{ 'predict': predict }`. Declare a module's table with
 * `satisfies EngineJobTable` (not as a Record) so that EngineWorker<typeof jobs>.run checks each
 * name's payload and result.
 */
export type EngineJobTable = Readonly<Record<string, AnyEngineJob>>;

export type PayloadOf<J> = J extends (payload: infer P, ctx: EngineJobContext) => unknown ? P : never;
export type ResultOf<J> = J extends (payload: never, ctx: EngineJobContext) => infer R ? Awaited<R> : never;

/** A module the worker loads exports its jobs under this name. */
export interface EngineJobModule {
  jobs: EngineJobTable;
}
