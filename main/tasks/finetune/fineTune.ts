import * as tf from '@tensorflow/tfjs-core';
import type { Vec3, Volume } from '../../volume/Volume';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import type { StateDict } from '../../engine/nn/StateDict';
import { diceCrossEntropy } from '../../engine/train/losses';
import { trainLoop } from '../../engine/train/trainLoop';
import { seededRandom } from '../../util/seededRandom';
import type { TaskPreprocessing } from '../engine/taskModel';
import { toSegSample, validationDice } from '../train/segmentationRecipe';
import { samplePatch, type AugmentOptions, type SegSample } from '../train/segmentationSample';

/**
 * Incremental fine-tuning from corrections, on the one training loop: train on the verified
 * cases (with replay of earlier ones), evaluate mean foreground Dice on a held-out validation set
 * every `evalEvery` steps, stop early after `patience` evaluations without improvement, keep the
 * best weights, and promote only when the best validation Dice is not below the parent model's.
 */
export interface LabelledCase {
  id: string;
  ct: Volume;
  /** Class index per voxel on the CT's grid (0 = background). */
  labels: Uint8Array;
}

export interface FineTuneOptions {
  model: Med3dModel;
  preprocessing: TaskPreprocessing;
  train: LabelledCase[];
  validation: LabelledCase[];
  /** Earlier verified cases mixed in (replay), so the model does not forget them. */
  replay?: LabelledCase[];
  /** Share of patches drawn from `replay` (default 0.3). */
  replayFraction?: number;
  steps: number;
  /** Adam lr; default 1e-3 (pretrained parent) — pass 1e-2 for a model trained from scratch. */
  lr?: number;
  patch: Vec3;
  evalEvery?: number;
  patience?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (e: { step: number; steps: number; loss: number; valDice?: number }) => void;
  /** Patch augmentation (default none: corrections are few and exact). */
  augment?: AugmentOptions | null;
}

export interface FineTuneResult {
  baselineDice: number;
  bestDice: number;
  bestStep: number;
  promoted: boolean;
  stoppedEarly: boolean;
  /** Best weights (PyTorch layout), loaded back into the model. */
  stateDict: StateDict;
  history: Array<{ step: number; loss?: number; valDice?: number }>;
}

/** Preprocess a labelled case onto the model grid (labels by label vote). */
export function toSample(c: LabelledCase, p: TaskPreprocessing): SegSample {
  return toSegSample(c.id, c.ct, c.labels, p);
}

function classesOf(model: Med3dModel): number {
  const h = model.spec.head;
  if (!('classes' in h) || h.classes < 2) throw new Error(`model head '${h.kind}' is not a segmentation head`);
  return h.classes;
}

export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  if (o.train.length === 0) throw new Error('fine-tuning needs at least one verified case');
  if (o.validation.length === 0) throw new Error('fine-tuning needs at least one held-out validation case');
  const classes = classesOf(o.model);
  const evalEvery = o.evalEvery ?? Math.max(1, Math.floor(o.steps / 5));
  const train = o.train.map((c) => toSample(c, o.preprocessing));
  const val = o.validation.map((c) => toSample(c, o.preprocessing));
  const replay = (o.replay ?? []).map((c) => toSample(c, o.preprocessing));
  const window = o.preprocessing.window;
  const [px, py, pz] = o.patch;

  const baselineDice = validationDice(o.model, val, window, classes);
  const parent = o.model.stateDict();
  o.onProgress?.({ step: 0, steps: o.steps, loss: NaN, valDice: baselineDice });
  const r = await trainLoop({
    model: o.model,
    epochs: 1,
    stepsPerEpoch: o.steps,
    seed: o.seed ?? 1,
    optimizer: { kind: 'adam', lr: o.lr ?? 1e-3 },
    batch: (_e, _i, seed) => {
      const rng = seededRandom(seed);
      const pool = replay.length && rng.next() < (o.replayFraction ?? 0.3) ? replay : train;
      const p = samplePatch(pool[rng.int(0, pool.length - 1)], { patch: o.patch, augment: o.augment ?? null }, rng);
      return { x: tf.tensor5d(p.input, [1, pz, py, px, 1]), labels: tf.tensor4d(p.labels, [1, pz, py, px], 'int32') };
    },
    loss: (out, b) => {
      if (!out.logits) throw new Error('model has no head');
      return diceCrossEntropy(out.logits, b.labels);
    },
    validation: { every: evalEvery, metric: 'dice', patience: o.patience ?? 2, run: () => ({ dice: validationDice(o.model, val, window, classes) }) },
    signal: o.signal,
    onProgress: (p) => o.onProgress?.({ step: p.step, steps: o.steps, loss: p.loss, ...(p.validation && p.step % evalEvery === 0 ? { valDice: p.validation.dice } : {}) }),
  });
  if (r.cancelled) throw new Error('cancelled');
  const history: FineTuneResult['history'] = [{ step: 0, valDice: baselineDice }];
  for (const h of r.history) history.push(h.loss !== undefined ? { step: h.step ?? 0, loss: h.loss } : { step: h.step ?? 0, valDice: h.metrics?.dice });
  // The parent stays when training never validated better than it did.
  const improved = r.best !== undefined && r.best.value >= baselineDice;
  if (!improved) o.model.loadStateDict(parent);
  const bestDice = improved ? r.best!.value : baselineDice;
  const bestStep = improved ? r.best!.step : 0;
  return {
    baselineDice,
    bestDice,
    bestStep,
    promoted: bestStep > 0 && bestDice >= baselineDice,
    stoppedEarly: r.stopReason === 'early-stop',
    stateDict: improved ? o.model.stateDict() : parent,
    history,
  };
}
