import { EngineWorker } from '../../engine/worker/EngineWorker';
import { taskWorkerJobsModule } from '../engine/taskWorkerJobs';

/**
 * One engine worker for task jobs, started on first use: model inference and training run there,
 * never on the host's event loop.
 */
let worker: EngineWorker | null = null;

export function taskEngine(): EngineWorker {
  if (!worker) worker = new EngineWorker({ modules: [taskWorkerJobsModule()] });
  return worker;
}

/** Stop the worker (tests, shutdown). */
export async function stopTaskEngine(): Promise<void> {
  const w = worker;
  worker = null;
  await w?.terminate();
}
