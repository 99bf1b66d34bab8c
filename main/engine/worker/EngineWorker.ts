import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultDevice, type EngineDevice } from '../backend/device';
import type { BackendReport } from '../backend/selectBackend';
import { threadChannel, type EngineChannel, type SpawnEngine } from './engineChannel';
import type { BuiltinJobs } from './builtinJobs';
import { JobCancelledError, type EngineJobTable, type PayloadOf, type ResultOf } from './EngineJobContext';
import type { FromWorker, JobErrorData, JobProgress, ToWorker } from './protocol';

/**
 * Runs Med3D engine jobs in a worker thread so the main event loop (Electron main process, the
 * local web server, the CLI's progress output) never blocks on inference or training.
 *
 *   const w = new EngineWorker({ modules: [jobsModulePath] });
 *   const report = await w.start();              // backend ladder runs in the worker
 *   const out = await w.run('engine:conv-workload', { iterations: 5 }, { onProgress: (p) => ..., signal });
 *   await w.terminate();
 *
 * Errors come back as data and are rethrown here as EngineJobError (name, message and the
 * worker's stack). Cancellation is cooperative (jobs call ctx.checkpoint()); with
 * `hardCancelAfterMs` a job that does not yield in time gets its worker terminated, the job
 * rejects with JobCancelledError and the next call starts a fresh worker.
 */

export interface EngineWorkerOptions {
  /**
   * Device for the backend ladder inside the worker (default: defaultDevice() when the worker
   * starts: the process's --device, else MED3D_DEVICE, else 'auto'). When the device cannot run
   * (`gpu` without a GPU), start() rejects with the ladder's one-line EngineDeviceError.
   */
  device?: EngineDevice;
  /** Native kernel threads inside the worker (default: all logical CPUs). */
  threads?: number;
  /** Extra job modules (absolute paths or file: URLs) exporting `jobs` (an EngineJobTable). */
  modules?: string[];
  /** Worker entry override (bundled builds: the bundled engineWorkerMain.js). */
  entry?: string | URL;
  /** Worker heap limit in MiB (default: Node's default; worker threads only). */
  maxOldGenerationSizeMb?: number;
  /** How to start the worker (default: a Node worker thread; Electron: utilityProcessChannel(utilityProcess.fork)). */
  spawn?: SpawnEngine;
}

export interface RunOptions {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /** Buffers in the payload to transfer (not copy) to the worker; they become unusable here. */
  transfer?: ArrayBuffer[];
  /** After a cancel, terminate the worker if the job has not stopped within this many ms. */
  hardCancelAfterMs?: number;
}

export class EngineJobError extends Error {
  readonly workerStack?: string;
  constructor(data: JobErrorData) {
    super(data.message);
    this.name = data.name || 'EngineJobError';
    this.workerStack = data.stack;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: JobProgress) => void;
  cleanup: () => void;
}

/** The entry this module's location implies: the tsx shim beside the sources, else the bundled .js. */
function defaultWorkerEntry(): URL {
  const shim = new URL('./engineWorkerEntry.mjs', import.meta.url);
  if (existsSync(fileURLToPath(shim))) return shim;
  return new URL('./engineWorkerMain.js', import.meta.url);
}

export class EngineWorker<J extends EngineJobTable = BuiltinJobs> {
  private worker: EngineChannel | null = null;
  private ready: Promise<BackendReport> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private report: BackendReport | null = null;
  private jobNames: string[] = [];

  constructor(private readonly opts: EngineWorkerOptions = {}) {}

  /** Starts the worker (idempotent) and resolves with the backend the worker chose. */
  start(): Promise<BackendReport> {
    if (this.ready) return this.ready;
    let device: EngineDevice;
    try {
      device = this.opts.device ?? defaultDevice();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    const spawn = this.opts.spawn ?? threadChannel({ maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb });
    const worker = spawn(this.opts.entry ?? defaultWorkerEntry());
    this.worker = worker;
    this.ready = new Promise<BackendReport>((resolve, reject) => {
      const onReady = (msg: FromWorker): void => {
        if (msg.type === 'ready') {
          this.report = msg.report;
          this.jobNames = msg.jobs;
          resolve(msg.report);
        } else if (msg.type === 'init-error') {
          reject(new EngineJobError(msg.error));
        }
      };
      worker.onMessage((msg: FromWorker) => {
        if (msg.type === 'ready' || msg.type === 'init-error') onReady(msg);
        else this.dispatch(msg);
      });
      worker.onceError((err) => {
        reject(err);
        this.failAll(new EngineJobError({ name: 'EngineWorkerCrashed', message: `engine worker crashed: ${err.message}`, stack: err.stack }));
        this.reset(worker);
      });
      worker.onceExit((code) => {
        reject(new Error(`engine worker exited during start-up (code ${code})`));
        this.failAll(new EngineJobError({ name: 'EngineWorkerExited', message: `engine worker exited (code ${code})` }));
        this.reset(worker);
      });
    });
    const init: ToWorker = { type: 'init', device, threads: this.opts.threads, modules: this.opts.modules ?? [] };
    worker.postMessage(init);
    return this.ready;
  }

  /** Backend report of the running worker (null before start resolves). */
  backend(): BackendReport | null {
    return this.report;
  }

  jobs(): string[] {
    return [...this.jobNames];
  }

  /**
   * Runs one job; resolves with its result or rejects with EngineJobError / JobCancelledError.
   * `J` (the worker's job tables, e.g. `BuiltinJobs & TaskWorkerJobs`) types the name, payload and result.
   */
  async run<K extends keyof J & string>(job: K, payload: PayloadOf<J[K]>, opts: RunOptions = {}): Promise<ResultOf<J[K]>> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('engine worker is not running');
    if (opts.signal?.aborted) throw new JobCancelledError(`engine job '${job}' cancelled before it started`);
    const id = this.nextId++;
    return new Promise<ResultOf<J[K]>>((resolve, reject) => {
      let hardTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
        if (opts.hardCancelAfterMs !== undefined) {
          hardTimer = setTimeout(() => {
            const p = this.pending.get(id);
            if (!p) return;
            this.pending.delete(id);
            p.cleanup();
            p.reject(new JobCancelledError(`engine job '${job}' did not stop within ${opts.hardCancelAfterMs} ms; the worker was terminated`));
            void this.terminate();
          }, opts.hardCancelAfterMs);
        }
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        cleanup: () => {
          opts.signal?.removeEventListener('abort', onAbort);
          if (hardTimer) clearTimeout(hardTimer);
        },
      });
      worker.postMessage({ type: 'run', id, job, payload } satisfies ToWorker, opts.transfer ?? []);
    });
  }

  /** Stops the worker; pending jobs reject. A later `run` starts a fresh worker. */
  async terminate(): Promise<void> {
    const w = this.worker;
    this.failAll(new JobCancelledError('engine worker terminated'));
    this.reset(w);
    if (w) await w.terminate();
  }

  private dispatch(msg: FromWorker): void {
    if (msg.type !== 'progress' && msg.type !== 'result' && msg.type !== 'error') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    p.cleanup();
    if (msg.type === 'result') p.resolve(msg.result);
    else p.reject(msg.error.cancelled ? new JobCancelledError(msg.error.message) : new EngineJobError(msg.error));
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.cleanup();
      p.reject(err);
    }
  }

  private reset(w: EngineChannel | null): void {
    if (w && this.worker === w) {
      this.worker = null;
      this.ready = null;
      this.report = null;
    }
  }
}
