import type { Vec3, Volume } from '../../volume/Volume';
import type { ModelComparison, PromotionMode } from '../../../common/api/types';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';
import { saveCheckpoint } from '../../engine/weights/checkpoint';
import { accuracy, auc } from '../../engine/train/metrics';
import type { EngineJobContext } from '../../engine/worker/EngineJobContext';
import { noduleSpec } from '../defaultSpecs';
import { loadTaskModel, preprocessingToJson, type TaskPreprocessing } from '../engine/taskModel';
import { NODULE_TASK } from '../taskDefinitions';
import { noduleMargin, noduleTraining } from '../train/noduleRecipe';
import { trainParts } from '../train/trainParts';
import { fineTuneStartModel } from '../train/fineTuneStartModel';
import { fineTuneRunSummary, type FineTuneRunSummary } from '../train/fineTuneRunSummary';
import { loadVolume } from '../../volume/io/loadVolume';
import { malignancyProbabilities, modelNoduleInputs, scanNoduleInputs } from './noduleTask';

/**
 * The 'nodule:finetune' engine-worker job: the nodule classifier (encoder + GAP + FC) trained
 * from the workspace's nodule marks through the nodule recipe's pieces (patches around each mark
 * centre, shifts and flips, cross-entropy, best weights by (AUC + accuracy) / 2 on the held-out
 * marks), then compared with the model active when the job started on those same held-out marks:
 * "never worse" by accuracy (ties keep the active model; AUC reported beside it).
 */
export interface NoduleItem {
  /** '<caseId>/<markId>'. */
  id: string;
  caseId: string;
  centerVoxel: Vec3;
  /** 0 benign, 1 malignant. */
  label: 0 | 1;
}

export interface NoduleFineTunePayload {
  /** The scan of each case that has marks (the case's source file, and its series in a multi-series DICOM folder). */
  scans: Array<{ caseId: string; file: string; series?: string }>;
  train: NoduleItem[];
  validation: NoduleItem[];
  /** Weights to start from (the active nodule model, an imported MedicalNet encoder); omitted = a new model. */
  startFile?: string;
  width?: number;
  /** The active model when the job started; omitted = no nodule model yet. */
  baselineFile?: string;
  baselineId?: string;
  steps?: number;
  minutes?: number;
  /** Patch (voxels, multiples of 8); default the start model's, else 32³. */
  patch?: Vec3;
  seed?: number;
  outFile: string;
  parentId?: string;
  promotion: PromotionMode;
}

export interface NoduleFineTuneResult extends FineTuneRunSummary {
  comparison: ModelComparison;
  /** Held-out accuracy and AUC of the candidate and of the baseline (null without held-out marks / baseline). */
  accuracy: number | null;
  auc: number | null;
  baselineAccuracy: number | null;
  baselineAuc: number | null;
}

const heads = createHeadRegistry();

/** Patches of `items` cut by `inputs` from each scan. */
interface Cut {
  items: readonly NoduleItem[];
  inputs: (ct: Volume, centres: Vec3[]) => Float32Array[];
}

/**
 * Every cut's patches, aligned with its items: the scans are read here one at a time and dropped
 * once cut, so a workspace of many large scans never sits in memory at once.
 */
async function cutPatches(scans: NoduleFineTunePayload['scans'], cuts: readonly Cut[]): Promise<Float32Array[][]> {
  const out = cuts.map(() => new Map<NoduleItem, Float32Array>());
  for (const s of scans) {
    const ct = await loadVolume(s.file, s.series !== undefined ? { dicom: { seriesInstanceUID: s.series } } : undefined);
    cuts.forEach((cut, c) => {
      const its = cut.items.filter((it) => it.caseId === s.caseId);
      if (its.length) cut.inputs(ct, its.map((it) => it.centerVoxel)).forEach((x, q) => out[c].set(its[q], x));
    });
  }
  return cuts.map((cut, c) => cut.items.map((it) => out[c].get(it)!));
}

function scores(probs: number[], ys: (0 | 1)[]): { accuracy: number; auc: number; correct: number[] } {
  const a = auc(probs, ys);
  const correct = probs.map((p, i) => ((p >= 0.5 ? 1 : 0) === ys[i] ? 1 : 0));
  return { accuracy: accuracy(probs.map((p) => (p >= 0.5 ? 1 : 0)), ys), auc: Number.isNaN(a) ? 0.5 : a, correct };
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

export async function fineTuneNoduleWorkerJob(payload: unknown, ctx: EngineJobContext): Promise<NoduleFineTuneResult> {
  const p = payload as NoduleFineTunePayload;
  const { model, pretrained, preprocessing: startPre, note } = await fineTuneStartModel(heads, noduleSpec, p.startFile, p.width);
  const size: Vec3 = startPre?.window ?? p.patch ?? NODULE_TASK.patch;
  const pre: TaskPreprocessing = { ...NODULE_TASK.preprocessing, ...startPre, window: size, patchSpacingMm: startPre?.patchSpacingMm ?? 1 };
  const margin = noduleMargin(size, true);
  const ys = (items: readonly NoduleItem[]): (0 | 1)[] => items.map((it) => it.label);
  ctx.progress({ fraction: 0, message: `cutting ${p.train.length + p.validation.length} nodule patch(es) ${size.join('x')} at ${pre.patchSpacingMm} mm` });
  // The baseline (active model) is scored on the held-out marks as "Classify nodule" runs it.
  const b = p.baselineFile && p.validation.length ? await loadTaskModel(p.baselineFile) : null;
  const [trainX, valX, baseX] = await cutPatches(p.scans, [
    { items: p.train, inputs: (ct, cs) => scanNoduleInputs(ct, cs, pre, size, margin) },
    { items: p.validation, inputs: (ct, cs) => scanNoduleInputs(ct, cs, pre, size) },
    { items: b ? p.validation : [], inputs: (ct, cs) => modelNoduleInputs(b!, ct, cs) },
  ]);
  const train = { x: trainX, y: ys(p.train) };
  const val = { x: valX, y: ys(p.validation) };
  const r = await trainParts({
    model,
    parts: noduleTraining(train, val, { size, margin, batchSize: Math.min(NODULE_TASK.batchSize, p.train.length), augment: true }),
    metric: NODULE_TASK.metric,
    validate: p.validation.length > 0,
    steps: p.steps,
    maxSeconds: p.minutes !== undefined ? p.minutes * 60 : undefined,
    lr: pretrained ? 1e-3 : 1e-2,
    seed: p.seed,
    signal: ctx.signal,
    // Best held-out weights so far: what a cancelled run keeps as a candidate.
    bestFile: `${p.outFile}.best`,
    onProgress: (e) =>
      ctx.progress({
        fraction: Math.min(1, e.step / e.steps),
        message: e.metrics ? `step ${e.step}: held-out accuracy ${e.metrics.accuracy.toFixed(3)}, AUC ${e.metrics.auc.toFixed(3)}` : `step ${e.step}/${e.steps}`,
        values: { step: e.step, ...(Number.isFinite(e.loss) ? { loss: e.loss } : {}), ...(e.metrics ? { valAccuracy: e.metrics.accuracy, valAuc: e.metrics.auc } : {}) },
      }),
  });
  await saveCheckpoint(p.outFile, {
    spec: model.spec,
    stateDict: r.stateDict,
    meta: {
      createdAt: new Date().toISOString(),
      task: NODULE_TASK.checkpointTask,
      preprocessing: preprocessingToJson(pre),
      labels: NODULE_TASK.labels === 'from-dataset' ? [] : NODULE_TASK.labels.map((l) => ({ ...l })),
      ...(p.parentId ? { parent: p.parentId } : {}),
      trainingCases: p.train.map((it) => it.id),
      validationCases: p.validation.map((it) => it.id),
      notes: [note],
    },
  });

  if (r.cancelled) {
    // The worker reports a cancelled job as an error; this last event tells the host the candidate was written.
    b?.model.dispose();
    ctx.progress({ message: `cancelled at step ${r.steps}: best weights so far kept`, values: { cancelledAtStep: r.steps, bestStep: r.bestStep, seconds: r.elapsedSeconds, depth: model.spec.backbone.depth, baseWidth: model.spec.backbone.baseWidth } });
    const comparison: ModelComparison = { baseline: p.baselineId ?? 'none', metric: 'accuracy', cases: [], candidateMean: null, baselineMean: null, decision: 'cancelled' };
    return { comparison, accuracy: null, auc: null, baselineAccuracy: null, baselineAuc: null, ...fineTuneRunSummary(model, { bestStep: r.bestStep, steps: r.steps, stopReason: r.stopReason, seconds: r.elapsedSeconds }, pretrained, [note]) };
  }

  // Never worse: candidate and baseline on the same held-out marks, each with its own preprocessing and patch.
  const t0 = performance.now();
  let comparison: ModelComparison;
  let cand: ReturnType<typeof scores> | null = null;
  let base: ReturnType<typeof scores> | null = null;
  const baselineName = p.baselineId ?? 'none';
  if (p.validation.length === 0) {
    comparison = { baseline: baselineName, metric: 'accuracy', cases: [], candidateMean: null, baselineMean: null, decision: 'no-validation' };
  } else {
    ctx.progress({ fraction: 1, message: `comparing with ${baselineName} on ${p.validation.length} held-out mark(s)` });
    cand = scores(malignancyProbabilities(model, val.x, size), val.y);
    if (b) {
      const bSize: Vec3 = b.preprocessing.window ?? [32, 32, 32];
      base = scores(malignancyProbabilities(b.model, baseX, bSize), val.y);
      b.model.dispose();
    }
    const rows = p.validation.map((it, i) => ({ caseId: it.id, candidate: cand!.correct[i], baseline: base ? base.correct[i] : 0 }));
    const candidateMean = mean(rows.map((x) => x.candidate));
    const baselineMean = mean(rows.map((x) => x.baseline));
    const decision: ModelComparison['decision'] = p.promotion === 'manual' ? 'manual' : candidateMean! > baselineMean! ? 'promoted' : 'kept-baseline';
    comparison = { baseline: baselineName, metric: 'accuracy', cases: rows, candidateMean, baselineMean, decision };
  }
  model.dispose();
  return {
    comparison,
    accuracy: cand?.accuracy ?? null,
    auc: cand?.auc ?? null,
    baselineAccuracy: base?.accuracy ?? null,
    baselineAuc: base?.auc ?? null,
    ...fineTuneRunSummary(model, { bestStep: r.bestStep, steps: r.steps, stopReason: r.stopReason, seconds: r.elapsedSeconds + (performance.now() - t0) / 1000 }, pretrained, [note]),
  };
}
