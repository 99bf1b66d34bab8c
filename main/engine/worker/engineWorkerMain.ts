import { pathToFileURL } from 'node:url';
import { initEngineBackend } from '../backend/selectBackend';
import { builtinJobs } from './builtinJobs';
import { JobCancelledError, type AnyEngineJob, type EngineJobContext, type EngineJobModule } from './EngineJobContext';
import type { FromWorker, JobErrorData, ToWorker } from './protocol';
import { checkJobName } from './jobName';
import { hostPort } from './workerPort';

/**
 * The engine worker (a Node worker thread or an Electron utility process, see workerPort.ts):
 * initialises the backend ladder here (the native addon and tfjs state are per thread), loads job
 * modules, then runs jobs one message at a time. Jobs run concurrently only in the sense that
 * cancels and new runs are queued between the awaits of a running job.
 * Read-backs: every provider, the WebGPU one included, returns tensors on the tfjs cpu backend (the
 * GPU provider copies results back asynchronously on its own thread), so jobs may read tensors
 * synchronously: the only tfjs backends the ladder installs (cpu, tensorflow) read synchronously.
 */
const port = hostPort();

const jobs = new Map<string, AnyEngineJob>(Object.entries(builtinJobs));
const running = new Map<number, AbortController>();

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.post(msg, transfer);
}

function toErrorData(err: unknown): JobErrorData {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack, ...(err instanceof JobCancelledError ? { cancelled: true } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runJob(id: number, name: string, payload: unknown): Promise<void> {
  const handler = jobs.get(name);
  if (!handler) {
    post({ type: 'error', id, error: { name: 'UnknownJobError', message: `unknown engine job '${name}' (known: ${[...jobs.keys()].sort().join(', ')})` } });
    return;
  }
  const ac = new AbortController();
  running.set(id, ac);
  const transfer: ArrayBuffer[] = [];
  const ctx: EngineJobContext = {
    signal: ac.signal,
    progress: (progress) => post({ type: 'progress', id, progress }),
    transfer: (...buffers) => transfer.push(...buffers),
    checkpoint: async () => {
      await yieldToEventLoop();
      if (ac.signal.aborted) throw new JobCancelledError(`engine job '${name}' cancelled`);
    },
  };
  try {
    // The payload's type is the job's (EngineWorker.run checked it against the job table).
    const result = await handler(payload as never, ctx);
    if (ac.signal.aborted) throw new JobCancelledError(`engine job '${name}' cancelled`);
    post({ type: 'result', id, result }, transfer);
  } catch (err) {
    post({ type: 'error', id, error: toErrorData(err) });
  } finally {
    running.delete(id);
  }
}

port.onMessage((msg: ToWorker) => {
  if (msg.type === 'init') {
    void (async () => {
      try {
        for (const m of msg.modules) {
          const url = m.startsWith('file:') ? m : pathToFileURL(m).href;
          const mod = (await import(url)) as Partial<EngineJobModule>;
          if (!mod.jobs || typeof mod.jobs !== 'object') throw new Error(`engine job module ${m} exports no 'jobs' object`);
          for (const [k, h] of Object.entries(mod.jobs)) {
            checkJobName(k);
            jobs.set(k, h);
          }
        }
        const report = await initEngineBackend({ device: msg.device, threads: msg.threads });
        post({ type: 'ready', report, jobs: [...jobs.keys()].sort() });
      } catch (err) {
        post({ type: 'init-error', error: toErrorData(err) });
      }
    })();
  } else if (msg.type === 'run') {
    void runJob(msg.id, msg.job, msg.payload);
  } else if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
  }
});
