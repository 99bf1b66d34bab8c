import type { Vec3, Volume } from '../../volume/Volume';
import { resampleToGrid } from '../../volume/geometry/resample';
import { gridOf } from '../../volume/geometry/grid';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import type { StateDict } from '../../engine/weights/StateDict';
import { dice } from '../mask/maskMetrics';
import { argmaxLabels, predictProbabilities } from '../engine/segmentationInference';
import { prepareInput, type TaskPreprocessing } from '../engine/taskModel';
import { trainSegmentation, type AdamTrainer, type SegSample } from '../engine/trainSegmentation';
import type { SeededRandom } from '../../util/seededRandom';

/**
 * Incremental fine-tuning from corrections: train on the verified cases (with replay of earlier
 * ones), evaluate mean foreground Dice on a held-out validation set every `evalEvery` steps,
 * stop early after `patience` evaluations without improvement, keep the best weights, and
 * promote only when the best validation Dice is not below the parent model's.
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
  steps: number;
  /** Adam lr; default 1e-3 (pretrained parent) — pass 1e-2 for a model trained from scratch. */
  lr?: number;
  patch: Vec3;
  evalEvery?: number;
  patience?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (e: { step: number; steps: number; loss: number; valDice?: number }) => void;
  augment?: (p: { input: Float32Array; labels: Int32Array }, patch: Vec3, rng: SeededRandom) => { input: Float32Array; labels: Int32Array };
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
  const input = prepareInput(c.ct, p);
  const lm = resampleToGrid({ ...c.ct, data: c.labels }, gridOf(input), { interpolation: 'label' });
  return { id: c.id, input: input.data as Float32Array, labels: lm.data instanceof Uint8Array ? lm.data : Uint8Array.from(lm.data), dims: [...input.dims] as Vec3 };
}

/** Mean over cases of the mean Dice over foreground classes present in truth or prediction. */
export function validationDice(model: Med3dModel, samples: SegSample[], window?: Vec3): number {
  if (samples.length === 0) return NaN;
  let sum = 0;
  for (const s of samples) {
    const pred = argmaxLabels(predictProbabilities(model, { data: s.input, dims: s.dims, spacing: [1, 1, 1], affine: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } }, { window }));
    const classes = new Set<number>();
    for (let q = 0; q < pred.length; q++) {
      if (pred[q]) classes.add(pred[q]);
      if (s.labels[q]) classes.add(s.labels[q]);
    }
    let d = 0;
    for (const c of classes) d += dice(pred, s.labels, c, c);
    sum += classes.size ? d / classes.size : 1;
  }
  return sum / samples.length;
}

export function fineTune(o: FineTuneOptions): FineTuneResult {
  if (o.train.length === 0) throw new Error('fine-tuning needs at least one verified case');
  if (o.validation.length === 0) throw new Error('fine-tuning needs at least one held-out validation case');
  const evalEvery = o.evalEvery ?? Math.max(1, Math.floor(o.steps / 5));
  const patience = o.patience ?? 2;
  const train = o.train.map((c) => toSample(c, o.preprocessing));
  const val = o.validation.map((c) => toSample(c, o.preprocessing));
  const replay = (o.replay ?? []).map((c) => toSample(c, o.preprocessing));
  const window = o.preprocessing.window;

  const baselineDice = validationDice(o.model, val, window);
  const history: FineTuneResult['history'] = [{ step: 0, valDice: baselineDice }];
  o.onProgress?.({ step: 0, steps: o.steps, loss: NaN, valDice: baselineDice });
  let best = { dice: baselineDice, step: 0, sd: o.model.stateDict() };
  let sinceBest = 0;
  let stoppedEarly = false;
  let trainer: AdamTrainer | undefined;
  let done = 0;
  while (done < o.steps) {
    const n = Math.min(evalEvery, o.steps - done);
    const r = trainSegmentation(o.model, train, {
      steps: n,
      lr: o.lr ?? 1e-3,
      patch: o.patch,
      seed: (o.seed ?? 1) * 7919 + done,
      replay,
      signal: o.signal,
      augment: o.augment,
      trainer,
      onStep: (step, loss) => {
        history.push({ step, loss });
        o.onProgress?.({ step, steps: o.steps, loss });
      },
    });
    trainer = r.trainer;
    done += n;
    const d = validationDice(o.model, val, window);
    history.push({ step: done, valDice: d });
    o.onProgress?.({ step: done, steps: o.steps, loss: r.losses[r.losses.length - 1], valDice: d });
    if (d > best.dice) {
      best = { dice: d, step: done, sd: o.model.stateDict() };
      sinceBest = 0;
    } else if (++sinceBest >= patience) {
      stoppedEarly = done < o.steps;
      break;
    }
  }
  trainer?.dispose();
  o.model.loadStateDict(best.sd);
  return {
    baselineDice,
    bestDice: best.dice,
    bestStep: best.step,
    promoted: best.step > 0 && best.dice >= baselineDice,
    stoppedEarly,
    stateDict: best.sd,
    history,
  };
}
