import path from 'node:path';
import type { Vec3, Volume } from '../../volume/Volume';
import { saveCheckpoint, type HistoryEntry } from '../../engine/weights/checkpoint';
import type { EngineJobContext } from '../../engine/worker/EngineJobContext';
import type { ModelComparison, PromotionMode } from '../../../common/api/types';
import { segmentVolume } from '../engine/segmentVolume';
import { preprocessingToJson, type TaskPreprocessing } from '../engine/taskModel';
import { prepareTask, type TaskName } from '../taskRegistry';
import { meanForegroundDice } from '../train/segmentationRecipe';
import { fineTuneStartModel } from '../train/fineTuneStartModel';
import { fineTuneRunSummary, type FineTuneRunSummary } from '../train/fineTuneRunSummary';
import { fineTune, segmentationClasses, type LabelledCase } from './fineTune';
import { fineTuneTask } from './fineTuneTasks';
import { promotionDecision } from './promotionDecision';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

const heads = createHeadRegistry();

/**
 * The 'finetune' engine-worker job: train a candidate (fineTune, checkpoints in `workDir`),
 * write it to `outFile`, then run the candidate and the method that was active when the job
 * started (a workspace model, or the task's fallback such as lung's cold-start mask) on each
 * held-out verified case and compare Dice on the case's own grid. A cancelled run writes its best
 * weights so far to `outFile` and reports the step in its last progress event before the worker
 * turns it into a cancellation.
 */
export interface FineTunePayload {
  task: string;
  /** Weights to start from (a version's file, an imported MedicalNet encoder); omitted = a new model. */
  startFile?: string;
  /** Base width of a new model (default 8). */
  width?: number;
  /** The active model's file when the job started; omitted = the task's fallback method (lung: cold start). */
  baselineFile?: string;
  /** Its version id (with baselineFile). */
  baselineId?: string;
  /** Preprocessing; default: the start checkpoint's, else the task default. */
  preprocessing?: TaskPreprocessing;
  train: LabelledCase[];
  validation: LabelledCase[];
  replay: LabelledCase[];
  steps?: number;
  minutes?: number;
  /** Default: 1e-3 from pretrained weights, 1e-2 from scratch (the paper's rule). */
  lr?: number;
  /** Training patch (i, j, k); default [48, 48, 32]. */
  patch?: Vec3;
  seed?: number;
  /** Job folder: checkpoint.m3d (resume) and best.m3d. */
  workDir: string;
  resume: boolean;
  /** Where the candidate model is written. */
  outFile: string;
  parentId?: string;
  promotion: PromotionMode;
}

export interface FineTuneJobResult extends FineTuneRunSummary {
  comparison: ModelComparison;
  /** Model-grid validation Dice of the kept weights (null without validation). */
  bestDice: number | null;
}

/** Class table whose values are the class indices, so masks compare directly with the case's classes. */
function classTable(classes: number): Array<{ value: number; name: string }> {
  return Array.from({ length: classes }, (_, c) => ({ value: c, name: `class ${c}` }));
}

/** The baseline's masks: what runTask runs for this task (active model, else the task's fallback). */
async function baselineSegmenter(task: string, file: string | undefined, id: string | undefined): Promise<{ id: string; run: (ct: Volume) => Promise<ArrayLike<number>> } | null> {
  try {
    const p = await prepareTask(task as TaskName, file ? { model: file } : {});
    return { id: file ? (id ?? path.basename(file)) : p.method, run: async (ct) => (await p.run(ct)).mask.data };
  } catch (err) {
    if (!file) return null; // no method at all for this task without a model: nothing to beat
    throw err;
  }
}

export async function fineTuneWorkerJob(payload: unknown, ctx: EngineJobContext): Promise<FineTuneJobResult> {
  const p = payload as FineTunePayload;
  const def = fineTuneTask(p.task);
  const { model, pretrained, note, preprocessing: startPre } = await fineTuneStartModel(heads, def.spec, p.startFile, p.width);
  const notes = [note];
  const preprocessing = p.preprocessing ?? startPre ?? def.preprocessing;
  const meta = {
    task: def.checkpointTask,
    preprocessing: preprocessingToJson(preprocessing),
    ...(p.parentId ? { parent: p.parentId } : {}),
    trainingCases: p.train.map((c) => c.id),
    validationCases: p.validation.map((c) => c.id),
    notes,
  };
  const checkpointFile = path.join(p.workDir, 'checkpoint.m3d');
  const train: NonNullable<typeof def.train> = def.train ?? fineTune;
  const r = await train({
    model,
    preprocessing,
    train: p.train,
    validation: p.validation,
    replay: p.replay,
    steps: p.steps,
    maxSeconds: p.minutes !== undefined ? p.minutes * 60 : undefined,
    lr: p.lr ?? (pretrained ? 1e-3 : 1e-2),
    patch: p.patch ?? [48, 48, 32],
    seed: p.seed,
    signal: ctx.signal,
    checkpointFile,
    bestFile: path.join(p.workDir, 'best.m3d'),
    resume: p.resume,
    meta,
    onProgress: (e) => ctx.progress({ fraction: Math.min(1, e.step / e.steps), message: e.valDice !== undefined ? `step ${e.step}: validation Dice ${e.valDice.toFixed(3)}` : `step ${e.step}/${e.steps}`, values: { step: e.step, ...(Number.isFinite(e.loss) ? { loss: e.loss } : {}), ...(e.valDice !== undefined ? { valDice: e.valDice } : {}) } }),
  });
  const history: HistoryEntry[] = r.history.map((h) => ({ step: h.step, ...(h.loss !== undefined ? { loss: h.loss } : {}), ...(h.valDice !== undefined ? { metrics: { valDice: h.valDice } } : {}) }));
  const used = r.preprocessing ?? preprocessing;
  await saveCheckpoint(p.outFile, { spec: model.spec, stateDict: r.stateDict, meta: { ...meta, preprocessing: preprocessingToJson(used), createdAt: new Date().toISOString(), history, bestStep: r.bestStep, steps: r.steps, stopReason: r.stopReason } });
  const bestDice = Number.isFinite(r.bestDice) ? r.bestDice : null;
  if (r.cancelled) {
    // The worker reports a cancelled job as an error; this last event is how the host learns the step.
    ctx.progress({ message: `cancelled at step ${r.steps}: best weights so far kept`, values: { step: r.steps, cancelledAtStep: r.steps, depth: model.spec.backbone.depth, baseWidth: model.spec.backbone.baseWidth,  ...(bestDice !== null ? { bestDice } : {}), seconds: r.elapsedSeconds } });
    const summary = fineTuneRunSummary(model, { bestStep: r.bestStep, steps: r.steps, stopReason: r.stopReason, seconds: r.elapsedSeconds }, pretrained, notes);
    return { ...summary, bestDice, comparison: promotionDecision({ baseline: p.baselineId ?? 'none', rows: [], promotion: p.promotion, cancelled: true }) };
  }

  const t0 = performance.now();
  const rows: Array<{ caseId: string; candidate: number; baseline: number }> = [];
  let baselineId = p.baselineId ?? 'none';
  if (p.validation.length) {
    ctx.progress({ fraction: 1, message: `comparing with the active method on ${p.validation.length} held-out case(s)` });
    const classes = segmentationClasses(model);
    const candidate = { model, spec: model.spec, preprocessing: used, source: p.outFile, kind: 'med3d' as const };
    const pipeline = def.scoreViaPipeline ? await baselineSegmenter(p.task, p.outFile, 'candidate') : null;
    // An active model that cannot segment (an encoder-only import) makes runTask fail: any working candidate beats it.
    const baseline = await baselineSegmenter(p.task, p.baselineFile, p.baselineId).catch((err: unknown) => {
      notes.push(`the active model ${p.baselineId ?? ''} cannot segment (${(err as Error).message.split('\n')[0]}): scored as Dice 0`);
      return { id: p.baselineId ?? 'active model', run: async (ct: Volume) => new Uint8Array(ct.data.length) };
    });
    baselineId = baseline?.id ?? 'none';
    for (const c of p.validation) {
      await ctx.checkpoint();
      const mine = pipeline ? await pipeline.run(c.ct) : segmentVolume(candidate, c.ct, classTable(classes)).mask.data;
      const theirs = baseline ? await baseline.run(c.ct) : new Uint8Array(c.labels.length);
      rows.push({ caseId: c.id, candidate: meanForegroundDice(mine, c.labels, classes), baseline: meanForegroundDice(theirs, c.labels, classes) });
    }
  }
  const comparison = promotionDecision({ baseline: baselineId, rows, promotion: p.promotion, cancelled: false });
  const summary = fineTuneRunSummary(model, { bestStep: r.bestStep, steps: r.steps, stopReason: r.stopReason, seconds: r.elapsedSeconds + (performance.now() - t0) / 1000 }, pretrained, notes);
  return { ...summary, bestDice, comparison };
}
