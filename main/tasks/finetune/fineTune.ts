import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import type { Vec3, Volume } from '../../volume/Volume';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { readCheckpoint, type CheckpointMeta } from '../../engine/weights/checkpoint';
import type { StateDict } from '../../engine/nn/StateDict';
import { diceCrossEntropy } from '../../engine/train/losses';
import { trainLoop, type StopReason } from '../../engine/train/trainLoop';
import { seededRandom } from '../../util/seededRandom';
import type { TaskPreprocessing } from '../engine/taskModel';
import { toSegSample, validationDice } from '../train/segmentationRecipe';
import { samplePatch, type AugmentOptions, type SegSample } from '../train/segmentationSample';

/**
 * Incremental fine-tuning from corrections, on the one training loop: train on the corrected /
 * verified cases (with replay of earlier ones), evaluate mean foreground Dice on the held-out
 * validation cases every `evalEvery` steps (or seconds, under a time budget), stop early after
 * `patience` evaluations without improvement, and end with the best validated weights (the final
 * weights when there is nothing to validate on). Checkpoints go to `checkpointFile` (trainLoop's
 * exact resume), the best weights to `bestFile`; a cancelled run keeps both and returns normally
 * with `cancelled: true`. Whether the result replaces anything is not decided here (see
 * promotionDecision): this only trains.
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
  /** Held-out cases that pick the best weights; empty = keep the final weights. */
  validation: LabelledCase[];
  /** Earlier verified cases mixed in (replay), so the model does not forget them. */
  replay?: LabelledCase[];
  /** Share of patches drawn from `replay` (default 0.3). */
  replayFraction?: number;
  /** Step budget; with `maxSeconds` alone, as many steps as the time allows. */
  steps?: number;
  maxSeconds?: number;
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
  /** Resume checkpoint (weights, optimizer, step, best so far), written periodically and on cancel. */
  checkpointFile?: string;
  /** Best validated weights so far (what a cancelled run keeps). */
  bestFile?: string;
  /** Continue from `checkpointFile` when it exists. */
  resume?: boolean;
  /** Seconds between checkpoints (default 20, or a tenth of a shorter time budget, at least 2). */
  checkpointSeconds?: number;
  /** Metadata stored in the checkpoints (task, preprocessing …). */
  meta?: Partial<CheckpointMeta>;
}

export interface FineTuneResult {
  /** Best model-grid validation Dice (NaN without validation cases). */
  bestDice: number;
  /** Step of the kept weights (the last step without validation). */
  bestStep: number;
  steps: number;
  stopReason: StopReason;
  cancelled: boolean;
  stoppedEarly: boolean;
  /** Training seconds, summed over resumed runs. */
  elapsedSeconds: number;
  /** The kept weights (PyTorch layout); the model holds them too. */
  stateDict: StateDict;
  history: Array<{ step: number; loss?: number; valDice?: number }>;
}

/** Preprocess a labelled case onto the model grid (labels by label vote). */
export function toSample(c: LabelledCase, p: TaskPreprocessing): SegSample {
  return toSegSample(c.id, c.ct, c.labels, p);
}

export function segmentationClasses(model: Med3dModel): number {
  const h = model.spec.head;
  if (!('classes' in h) || h.classes < 2) throw new Error(`model head '${h.kind}' is not a segmentation head`);
  return h.classes;
}

export async function fineTune(o: FineTuneOptions): Promise<FineTuneResult> {
  if (o.train.length === 0) throw new Error('fine-tuning needs at least one corrected or verified case to train on');
  if (o.steps === undefined && o.maxSeconds === undefined) throw new Error('fine-tuning needs a budget: steps or minutes');
  const classes = segmentationClasses(o.model);
  const total = o.steps ?? 1e9;
  const evalEvery = o.evalEvery ?? (o.steps !== undefined ? Math.max(1, Math.floor(o.steps / 5)) : Number.MAX_SAFE_INTEGER);
  const train = o.train.map((c) => toSample(c, o.preprocessing));
  const val = o.validation.map((c) => toSample(c, o.preprocessing));
  const replay = (o.replay ?? []).map((c) => toSample(c, o.preprocessing));
  const window = o.preprocessing.window;
  const [px, py, pz] = o.patch;
  const r = await trainLoop({
    model: o.model,
    epochs: 1,
    stepsPerEpoch: total,
    maxSeconds: o.maxSeconds,
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
    ...(val.length
      ? {
          validation: {
            every: evalEvery,
            ...(o.maxSeconds !== undefined ? { everySeconds: Math.max(5, o.maxSeconds / 10) } : {}),
            metric: 'dice',
            patience: o.patience ?? 2,
            ...(o.bestFile ? { bestFile: o.bestFile } : {}),
            run: () => ({ dice: validationDice(o.model, val, window, classes) }),
          },
        }
      : {}),
    checkpointFile: o.checkpointFile,
    checkpointEvery: o.checkpointFile && o.steps !== undefined ? evalEvery : undefined,
    // At least ten checkpoints per time budget, so an interrupted short run loses little.
    checkpointSeconds: o.checkpointFile ? (o.checkpointSeconds ?? (o.maxSeconds !== undefined ? Math.min(20, Math.max(2, o.maxSeconds / 10)) : 20)) : undefined,
    meta: o.meta,
    resumeFrom: o.resume && o.checkpointFile && existsSync(o.checkpointFile) ? o.checkpointFile : undefined,
    signal: o.signal,
    onProgress: (p) => o.onProgress?.({ step: p.step, steps: p.totalSteps, loss: p.loss, ...(p.validation && p.step % evalEvery === 0 ? { valDice: p.validation.dice } : {}) }),
  });
  const history: FineTuneResult['history'] = r.history.map((h) => (h.loss !== undefined ? { step: h.step ?? 0, loss: h.loss } : { step: h.step ?? 0, valDice: h.metrics?.dice }));
  // On cancel trainLoop leaves the last weights in the model: the best validated ones are the candidate.
  if (r.cancelled && r.best && o.bestFile && existsSync(o.bestFile)) {
    o.model.loadStateDict((await readCheckpoint(o.bestFile)).stateDict);
  }
  return {
    bestDice: r.best?.value ?? Number.NaN,
    bestStep: r.best?.step ?? r.steps,
    steps: r.steps,
    stopReason: r.stopReason,
    cancelled: r.cancelled,
    stoppedEarly: r.stopReason === 'early-stop',
    elapsedSeconds: r.elapsedSeconds,
    stateDict: o.model.stateDict(),
    history,
  };
}
