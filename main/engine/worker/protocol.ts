import type { EngineDevice } from '../backend/device';
import type { BackendReport } from '../backend/selectBackend';

/**
 * Messages between EngineWorker (main thread) and the engine worker thread. Plain data only
 * (structured clone); large arrays travel as transferred ArrayBuffers.
 */

/** Progress of a running job; `fraction` in [0, 1] when known. */
export interface JobProgress {
  fraction?: number;
  message?: string;
  /** Free-form numbers (loss, step, voxels done, ...). */
  values?: Record<string, number>;
}

/** An error carried as data across the thread boundary. */
export interface JobErrorData {
  name: string;
  message: string;
  stack?: string;
  /** True when the job ended because it was cancelled. */
  cancelled?: boolean;
}

export interface WorkerInit {
  type: 'init';
  /** Device for the backend ladder in the worker (the host resolves the default before sending). */
  device: EngineDevice;
  threads?: number;
  /** Absolute file paths or file: URLs of modules exporting `jobs` (an EngineJobTable). */
  modules: string[];
}

export type ToWorker = WorkerInit | { type: 'run'; id: number; job: string; payload: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; report: BackendReport; jobs: string[] }
  | { type: 'init-error'; error: JobErrorData }
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: JobErrorData };
