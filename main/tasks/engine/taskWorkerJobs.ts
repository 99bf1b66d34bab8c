import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import { buildModel } from '../../engine/models/buildModel';
import { loadWeights } from '../../engine/weights/loadWeights';
import { saveCheckpoint, type HistoryEntry } from '../../engine/weights/checkpoint';
import type { JobContext, JobHandler } from '../../engine/worker/JobContext';
import { prepareTask, type TaskName, type TaskResult } from '../taskRegistry';
import { fineTune, type LabelledCase } from '../finetune/fineTune';
import { runBatch, type BatchOptions } from '../batch/runBatch';
import { batchReport } from '../batch/batchReport';
import type { BatchReport } from '../../../common/api/types';
import { loadTaskModel, parsePreprocessing, preprocessingToJson, type TaskPreprocessing } from './taskModel';
import { classifyNodule, type NodulePoint } from '../nodule/noduleTask';
import { liverFineSpec, lungSpec, tinyBackbone } from './defaultSpecs';
import { LUNG_TASK } from '../taskDefinitions';
import { LUNG_DEFAULT_PREPROCESSING } from '../lung/lungModel';
import { LIVER_FINE_PREPROCESSING } from '../liver/liverTask';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

const heads = createHeadRegistry();

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

export interface FineTunePayload {
  task: 'lung' | 'liver';
  /** Parent checkpoint / .pth file; omitted = from scratch with `spec`. */
  parentFile?: string;
  /** Preprocessing; default: the parent checkpoint's, else the task default. */
  preprocessing?: TaskPreprocessing;
  train: LabelledCase[];
  validation: LabelledCase[];
  replay: LabelledCase[];
  steps: number;
  /** Default: 1e-3 from pretrained weights, 1e-2 from scratch (the paper's rule). */
  lr?: number;
  /** Training patch (i, j, k); default [48, 48, 32]. */
  patch?: Vec3;
  /** Base width of a model from scratch (default 8). */
  width?: number;
  seed?: number;
  /** Where to write the new checkpoint (W's format). */
  outFile: string;
  parentId?: string;
}

export interface FineTuneJobResult {
  baselineDice: number;
  bestDice: number;
  bestStep: number;
  promoted: boolean;
  stoppedEarly: boolean;
  pretrained: boolean;
  /** e.g. 'resnet10-w8'. */
  backbone: string;
  history: Array<{ step: number; loss?: number; valDice?: number }>;
}

export const CHECKPOINT_TASK: Record<'lung' | 'liver', string> = { lung: LUNG_TASK.checkpointTask, liver: 'liver-fine' };

async function predict(payload: unknown, ctx: JobContext): Promise<PredictResult> {
  const p = payload as PredictPayload;
  ctx.progress({ fraction: 0.05, message: 'loading model' });
  const task = await prepareTask(p.task, { model: p.model, workspace: p.workspace });
  await ctx.checkpoint();
  ctx.progress({ fraction: 0.2, message: `running ${task.method}` });
  const r = await task.run(p.ct, ctx.signal);
  ctx.progress({ fraction: 1, message: 'done' });
  ctx.transfer(r.mask.data.buffer as ArrayBuffer);
  return { ...r, method: task.method };
}

const SPEC_FOR: Record<'lung' | 'liver', (b: BackboneSpec) => ModelSpec> = { lung: lungSpec, liver: liverFineSpec };
const DEFAULT_PRE: Record<'lung' | 'liver', TaskPreprocessing> = { lung: LUNG_DEFAULT_PREPROCESSING, liver: LIVER_FINE_PREPROCESSING };

/**
 * Build the model to fine-tune: the parent itself when it already has the task's head, else the
 * task head on the parent's (pretrained) encoder, else a small model from scratch.
 */
export async function modelForFineTune(
  task: 'lung' | 'liver',
  parentFile?: string,
  width?: number,
): Promise<{ model: ReturnType<typeof buildModel>; pretrained: boolean; notes: string[]; preprocessing?: TaskPreprocessing }> {
  const notes: string[] = [];
  if (!parentFile) return { model: buildModel(heads, SPEC_FOR[task](tinyBackbone(width)), { seed: 1 }), pretrained: false, notes: ['from scratch'] };
  const w = await loadWeights(parentFile);
  const spec = SPEC_FOR[task](w.spec.backbone);
  const pre = w.checkpoint?.meta.preprocessing !== undefined ? parsePreprocessing(w.checkpoint.meta.preprocessing) : undefined;
  if (w.spec.head.kind === spec.head.kind) {
    const model = buildModel(heads, w.spec);
    model.loadStateDict(w.stateDict);
    return { model, pretrained: true, notes: [`continued from ${parentFile}`], preprocessing: pre };
  }
  // A MedicalNet import (encoder, maybe another head): new task head on the pretrained encoder.
  const model = buildModel(heads, { backbone: w.spec.backbone, head: spec.head }, { seed: 1 });
  const encoderOnly = new Map([...w.stateDict].filter(([k]) => /^(conv1|bn1|layer[1-4])\./.test(k)));
  const r = model.loadStateDict(encoderOnly, { strict: false });
  notes.push(`pretrained encoder from ${parentFile}; new ${spec.head.kind} head (${r.missing.length} tensors initialised)`);
  return { model, pretrained: true, notes };
}

export { DEFAULT_PRE as FINETUNE_DEFAULT_PREPROCESSING };

async function finetuneJob(payload: unknown, ctx: JobContext): Promise<FineTuneJobResult> {
  const p = payload as FineTunePayload;
  const { model, pretrained, notes, preprocessing: parentPre } = await modelForFineTune(p.task, p.parentFile, p.width);
  const preprocessing = p.preprocessing ?? parentPre ?? DEFAULT_PRE[p.task];
  const r = await fineTune({
    model,
    preprocessing,
    train: p.train,
    validation: p.validation,
    replay: p.replay,
    steps: p.steps,
    lr: p.lr ?? (pretrained ? 1e-3 : 1e-2),
    patch: p.patch ?? [48, 48, 32],
    seed: p.seed,
    signal: ctx.signal,
    onProgress: (e) => ctx.progress({ fraction: e.step / e.steps, message: e.valDice !== undefined ? `validation Dice ${e.valDice.toFixed(3)}` : `step ${e.step}/${e.steps}`, values: { step: e.step, ...(Number.isFinite(e.loss) ? { loss: e.loss } : {}), ...(e.valDice !== undefined ? { valDice: e.valDice } : {}) } }),
  });
  const history: HistoryEntry[] = r.history.map((h) => ({ step: h.step, ...(h.loss !== undefined ? { loss: h.loss } : {}), ...(h.valDice !== undefined ? { metrics: { valDice: h.valDice } } : {}) }));
  await saveCheckpoint(p.outFile, {
    spec: model.spec,
    stateDict: r.stateDict,
    meta: {
      createdAt: new Date().toISOString(),
      task: CHECKPOINT_TASK[p.task],
      preprocessing: preprocessingToJson(preprocessing),
      history,
      ...(p.parentId ? { parent: p.parentId } : {}),
      ...(p.parentFile ? { source: p.parentFile } : {}),
      trainingCases: p.train.map((c) => c.id),
      validationCases: p.validation.map((c) => c.id),
      notes,
    },
  });
  return { baselineDice: r.baselineDice, bestDice: r.bestDice, bestStep: r.bestStep, promoted: r.promoted, stoppedEarly: r.stoppedEarly, pretrained, backbone: `resnet${model.spec.backbone.depth}-w${model.spec.backbone.baseWidth}`, history: r.history };
}

async function batchJob(payload: unknown, ctx: JobContext): Promise<BatchReport> {
  const o = payload as Omit<BatchOptions, 'log' | 'warn' | 'signal'>;
  let done = 0;
  const s = await runBatch({
    ...o,
    signal: ctx.signal,
    log: (line) => {
      if (/^\[\d+\/\d+\]/.test(line)) done++;
      const m = /^\[(\d+)\/(\d+)\]/.exec(line);
      ctx.progress({ fraction: m ? Number(m[1]) / Number(m[2]) : undefined, message: line, values: { done } });
    },
    warn: (line) => ctx.progress({ message: line }),
  });
  return batchReport(s);
}

export interface ClassifyPayload {
  model: string;
  ct: Volume;
  point: NodulePoint;
}

async function classifyJob(payload: unknown, ctx: JobContext): Promise<{ probability: number; malignant: boolean; centerWorld: Vec3; centerVoxel: Vec3; patch: Volume }> {
  const p = payload as ClassifyPayload;
  const m = await loadTaskModel(p.model);
  await ctx.checkpoint();
  const r = classifyNodule(m, p.ct, p.point);
  return { probability: r.probability, malignant: r.malignant, centerWorld: r.centerWorld, centerVoxel: r.centerVoxel, patch: r.patch };
}

export const jobs: Record<string, JobHandler> = {
  'tasks.classifyNodule': classifyJob,
  'tasks.predict': predict,
  'tasks.finetune': finetuneJob,
  'tasks.batch': batchJob,
};

/** Absolute URL of this module, for EngineWorker's `modules` option. */
export function taskWorkerJobsModule(): string {
  return new URL(import.meta.url).href;
}

export type { LabelMap };
