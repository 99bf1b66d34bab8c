import type { JobProgress } from './protocol';

/** Thrown (or returned as error data) when a job is cancelled. */
export class JobCancelledError extends Error {
  constructor(message = 'job cancelled') {
    super(message);
    this.name = 'JobCancelledError';
  }
}

/** What a job handler gets besides its payload. */
export interface JobContext {
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

/** A job running in the engine worker. Payload and result are structured-clonable data. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown> | unknown;

/** A module the worker loads exports its jobs under this name. */
export interface JobModule {
  jobs: Record<string, JobHandler>;
}
