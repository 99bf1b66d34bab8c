import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import type { EngineJobContext, EngineJobTable } from '../../engine/worker/EngineJobContext';
import { prepareTask, type TaskName, type TaskResult } from '../taskRegistry';
import { fineTuneWorkerJob } from '../finetune/fineTuneWorkerJob';
import { runBatch, type BatchOptions } from '../batch/runBatch';
import { batchReport } from '../batch/batchReport';
import type { BatchReport } from '../../../common/api/types';
import { loadTaskModel } from '../engine/taskModel';
import { classifyNodule, type NodulePoint } from '../nodule/noduleTask';
import { fineTuneNoduleWorkerJob } from '../nodule/fineTuneNodule';

/**
 * Task work that runs inside the engine worker thread (main/engine/worker), so the app's event
 * loop never waits on a forward pass or a training step. Load with
 * `new EngineWorker({ modules: [taskWorkerJobsModule()] })`.
 */
export interface PredictPayload {
  task: TaskName;
  model?: string;
  workspace?: string;
  ct: Volume;
}

export interface PredictResult extends TaskResult {
  method: string;
}

async function predict(p: PredictPayload, ctx: EngineJobContext): Promise<PredictResult> {
  ctx.progress({ fraction: 0.05, message: 'loading model' });
  const task = await prepareTask(p.task, { model: p.model, workspace: p.workspace });
  await ctx.checkpoint();
  ctx.progress({ fraction: 0.2, message: `running ${task.method}` });
  const r = await task.run(p.ct, ctx.signal);
  ctx.progress({ fraction: 1, message: 'done' });
  ctx.transfer(r.mask.data.buffer as ArrayBuffer);
  return { ...r, method: task.method };
}

/** `med3d batch` and the app's 'batch' job kind: the runner's options minus its callbacks. */
export type BatchPayload = Omit<BatchOptions, 'log' | 'warn' | 'signal' | 'beforePrepare' | 'tasks'>;

async function batchJob(o: BatchPayload, ctx: EngineJobContext): Promise<BatchReport> {
  let done = 0;
  const s = await runBatch({
    ...o,
    signal: ctx.signal,
    log: (line) => {
      if (/^\[\d+\/\d+\]/.test(line)) done++;
      const m = /^\[(\d+)\/(\d+)\]/.exec(line);
      ctx.progress({ fraction: m ? Number(m[1]) / Number(m[2]) : undefined, message: line, values: { done } });
    },
    // Marked so that hosts showing warnings apart (the CLI's stderr) can tell them from the log.
    warn: (line) => ctx.progress({ message: line, values: { warning: 1 } }),
  });
  return batchReport(s);
}

export interface ClassifyPayload {
  model: string;
  ct: Volume;
  point: NodulePoint;
}

async function classifyJob(p: ClassifyPayload, ctx: EngineJobContext): Promise<{ probability: number; malignant: boolean; centerWorld: Vec3; centerVoxel: Vec3; patch: Volume }> {
  const m = await loadTaskModel(p.model);
  await ctx.checkpoint();
  const r = classifyNodule(m, p.ct, p.point);
  return { probability: r.probability, malignant: r.malignant, centerWorld: r.centerWorld, centerVoxel: r.centerVoxel, patch: r.patch };
}

export const jobs = {
  'nodule:classify': classifyJob,
  'predict': predict,
  'finetune': fineTuneWorkerJob,
  'nodule:finetune': fineTuneNoduleWorkerJob,
  'batch': batchJob,
} satisfies EngineJobTable;

/** The task jobs' names, payloads and results, for `EngineWorker<BuiltinJobs & TaskWorkerJobs>`. */
export type TaskWorkerJobs = typeof jobs;

/** Absolute URL of this module, for EngineWorker's `modules` option. */
export function taskWorkerJobsModule(): string {
  return new URL(import.meta.url).href;
}

export type { LabelMap };
