import type { Vec3 } from '../../volume/Volume';
import { reorientTo } from '../../volume/geometry/reorient';
import { medianSpacing } from '../../volume/preprocess/spacing';
import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import type { TaskPreprocessing } from '../engine/taskModel';
import { tinyBackbone } from '../defaultSpecs';
import { liverTaskDefinition } from './liverTaskDefinition';
import type { FineTuneOptions, FineTuneResult, LabelledCase } from '../finetune/fineTune';
import { trainParts } from '../train/trainParts';
import { liverTraining, liverTrainingPreprocessing, type LiverItem } from './liverRecipe';

/**
 * Fine-tuning the two-stage liver model (coarse stage + DenseASPP fine stage on one encoder) from
 * the workspace's corrected / verified liver masks, with the same pieces as `med3d train --task
 * liver` (liverTraining: alternating coarse whole-scan batches and fine ROI patches cropped with
 * the paper's random expansion, rotation/translation augmentation; validation runs the real pair
 * on held-out scans). Replayed cases join the training pool. Same options and result as the
 * segmentation fine-tuning (fineTune), so the workspace job treats both alike.
 */
function toItem(c: LabelledCase): LiverItem {
  // Task classes: 1 = liver (workspace label 3, see jobs/taskLabels).
  return { id: c.id, ct: c.ct, liver: Uint8Array.from(c.labels, (v) => (v === 1 ? 1 : 0)) };
}

/** The result says which preprocessing the model was trained with (the fine stage's spacing may come from the cases). */
export async function fineTuneLiver(o: FineTuneOptions): Promise<FineTuneResult & { preprocessing: TaskPreprocessing }> {
  if (o.train.length === 0) throw new Error('fine-tuning needs at least one corrected or verified liver case to train on');
  const train = [...o.train, ...(o.replay ?? [])].map(toItem);
  const val = o.validation.map(toItem);
  // A model that already has its patch keeps it (both stages' input sizes are part of the model).
  const patch: Vec3 = o.preprocessing.window ?? o.patch;
  const pre = await liverTrainingPreprocessing(o.preprocessing, patch, async () =>
    medianSpacing(train.map((c) => (o.preprocessing.orientation ? reorientTo(c.ct, o.preprocessing.orientation).volume.spacing : c.ct.spacing))),
  );
  const r = await trainParts({
    model: o.model,
    parts: liverTraining(train, val, pre, { batchSize: 1, augment: true }),
    metric: 'dice',
    validate: val.length > 0,
    steps: o.steps,
    maxSeconds: o.maxSeconds,
    lr: o.lr ?? 1e-3,
    seed: o.seed,
    evalEvery: o.evalEvery,
    patience: o.patience,
    signal: o.signal,
    checkpointFile: o.checkpointFile,
    bestFile: o.bestFile,
    resume: o.resume,
    checkpointSeconds: o.checkpointSeconds,
    meta: o.meta,
    onProgress: (e) => o.onProgress?.({ step: e.step, steps: e.steps, loss: e.loss, ...(e.metrics ? { valDice: e.metrics.dice } : {}) }),
  });
  return {
    bestDice: r.best,
    bestStep: r.bestStep,
    steps: r.steps,
    stopReason: r.stopReason,
    cancelled: r.cancelled,
    stoppedEarly: r.stopReason === 'early-stop',
    elapsedSeconds: r.elapsedSeconds,
    stateDict: r.stateDict,
    history: r.history.map((h) => ({ step: h.step, ...(h.loss !== undefined ? { loss: h.loss } : {}), ...(h.metrics ? { valDice: h.metrics.dice } : {}) })),
    preprocessing: pre,
  };
}

/** The model of a new liver version: the two-stage head (coarse + DenseASPP) of `med3d train --task liver` on `backbone`. */
export function liverTwoStageSpec(backbone: BackboneSpec): ModelSpec {
  return { backbone, head: liverTaskDefinition(backbone).head(backbone, 2) };
}

/** Its default preprocessing (HU window, RAS); the patch and the fine stage's spacing come from the training run. */
export const LIVER_TWO_STAGE_PREPROCESSING: TaskPreprocessing = { ...liverTaskDefinition(tinyBackbone()).preprocessing };
