import type { BuiltinJobs } from '../../engine/worker/builtinJobs';
import { EngineWorker } from '../../engine/worker/EngineWorker';
import { taskWorkerJobsModule, type TaskWorkerJobs } from './taskWorkerJobs';

/** The task engine's jobs: `taskEngine().run('predict', payload)` is checked against these. */
type TaskEngineJobs = BuiltinJobs & TaskWorkerJobs;

/**
 * One engine worker for task jobs, started on first use: model inference and training run there,
 * never on the host's event loop.
 */
let worker: EngineWorker<TaskEngineJobs> | null = null;

export function taskEngine(): EngineWorker<TaskEngineJobs> {
  if (!worker) worker = new EngineWorker<TaskEngineJobs>({ modules: [taskWorkerJobsModule()] });
  return worker;
}

/** Stop the worker (tests, shutdown). */
export async function stopTaskEngine(): Promise<void> {
  const w = worker;
  worker = null;
  await w?.terminate();
}
