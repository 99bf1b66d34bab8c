import * as tf from '@tensorflow/tfjs-core';
import type { Vec3, Volume } from '../../volume/Volume';
import { gridOf } from '../../volume/geometry/grid';
import { resampleToGrid } from '../../volume/geometry/resample';
import { reorientTo } from '../../volume/geometry/reorient';
import { medianSpacing } from '../../volume/preprocess/spacing';
import { diceCrossEntropy } from '../../engine/train/losses';
import { dicePerClass } from '../../engine/train/metrics';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { seededRandom } from '../../util/seededRandom';
import { loadSegmentationCase, type LabelEntry, type SegmentationDataset } from '../../datasets';
import { argmaxLabels, predictProbabilities } from '../engine/segmentationInference';
import { prepareInput, type TaskPreprocessing } from '../engine/taskModel';
import { samplePatch, type SegSample } from './segmentationSample';
import type { PreparedTraining, RecipeInput, TrainingRecipe } from './TrainingRecipe';

/**
 * Dense segmentation from patches (segment, lung): every case preprocessed once onto the model
 * grid (reoriented, resampled to the training data's median spacing, clipped, z-scored), random
 * foreground-biased augmented patches, Dice + cross-entropy, and validation by sliding windows of
 * the training patch size (whole-volume inference scores badly: at patch size the dilated
 * layer3/4 mostly saw padding in training).
 */

/** Dataset label values → class indices of the table (unknown values are a DatasetError upstream). */
export function toClassIndices(labels: ArrayLike<number>, table: readonly LabelEntry[]): Uint8Array {
  const lut = new Map(table.map((l, c) => [l.value, c]));
  const out = new Uint8Array(labels.length);
  for (let q = 0; q < labels.length; q++) out[q] = lut.get(labels[q]) ?? 0;
  return out;
}

/** Preprocess an image and its class map onto the model grid (labels by label vote). */
export function toSegSample(id: string, image: Volume, classes: Uint8Array, p: TaskPreprocessing): SegSample {
  const input = prepareInput(image, p);
  const lm = resampleToGrid({ ...image, data: classes }, gridOf(input), { interpolation: 'label' });
  return { id, input: input.data as Float32Array, labels: lm.data instanceof Uint8Array ? lm.data : Uint8Array.from(lm.data), dims: [...input.dims] as Vec3 };
}

/** Mean over classes 1.. of THE Dice (classes absent from both prediction and truth left out). */
export function meanForegroundDice(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number {
  const d = dicePerClass(pred, truth, classes).slice(1).filter((x) => !Number.isNaN(x));
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : 1;
}

/** Mean foreground Dice over cases, predicting with sliding windows of `window`. */
export function validationDice(model: Med3dModel, samples: readonly SegSample[], window: Vec3 | undefined, classes: number): number {
  if (samples.length === 0) return NaN;
  const identity = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  let sum = 0;
  for (const s of samples) {
    const pred = argmaxLabels(predictProbabilities(model, { data: s.input, dims: s.dims, spacing: [1, 1, 1], affine: identity, meta: { warnings: [] } }, { window }));
    sum += meanForegroundDice(pred, s.labels, classes);
  }
  return sum / samples.length;
}

interface LoadedCase {
  id: string;
  image: Volume;
  classes: Uint8Array;
}

async function loadCases(ds: SegmentationDataset, table: readonly LabelEntry[]): Promise<LoadedCase[]> {
  const out: LoadedCase[] = [];
  for (const ref of ds.cases) {
    const c = await loadSegmentationCase(ds, ref);
    if (c.label) out.push({ id: ref.id, image: c.image, classes: toClassIndices(c.label.data, table) });
  }
  return out;
}

/** Per-axis median spacing of the training images, after the reorientation the model applies. */
function trainingSpacing(cases: readonly LoadedCase[], p: TaskPreprocessing): Vec3 {
  return medianSpacing(cases.map((c) => (p.orientation ? reorientTo(c.image, p.orientation).volume.spacing : c.image.spacing)));
}

export const segmentationRecipe: TrainingRecipe = {
  id: 'segmentation-patches',
  kind: 'segmentation',
  async prepare(input: RecipeInput): Promise<PreparedTraining> {
    if (input.train.kind !== 'segmentation' || input.val.kind !== 'segmentation') throw new Error(`task '${input.def.id}' trains on a segmentation dataset (images + labels), not a CSV`);
    const pre: TaskPreprocessing = { ...input.preprocessing, window: input.patch };
    const trainCases = await loadCases(input.train, input.labels);
    if (!pre.spacing && trainCases.length) {
      pre.spacing = trainingSpacing(trainCases, pre).map((s) => +s.toFixed(4)) as Vec3;
      input.log(`target spacing (per-axis median of the training cases): ${pre.spacing.join(' x ')} mm`);
    }
    const train = trainCases.map((c) => toSegSample(c.id, c.image, c.classes, pre));
    const val = (await loadCases(input.val, input.labels)).map((c) => toSegSample(c.id, c.image, c.classes, pre));
    if (train.length === 0) throw new Error('no labelled training cases');
    const classes = input.labels.length;
    const [px, py, pz] = input.patch;
    const n = input.batchSize;
    const augment = input.augment ? {} : null;
    input.log(`model grid: ${train.length} training case(s) ${train.map((s) => s.dims.join('x')).slice(0, 3).join(', ')}${train.length > 3 ? ', …' : ''}; ${val.length} validation case(s)`);
    return {
      preprocessing: pre,
      trainCount: train.length,
      valCount: val.length,
      batch: (_epoch, _index, seed) => {
        const rng = seededRandom(seed);
        const xs = new Float32Array(n * px * py * pz);
        const ys = new Int32Array(n * px * py * pz);
        for (let b = 0; b < n; b++) {
          const s = train[rng.int(0, train.length - 1)];
          const p = samplePatch(s, { patch: input.patch, augment }, rng);
          xs.set(p.input, b * p.input.length);
          ys.set(p.labels, b * p.labels.length);
        }
        return { x: tf.tensor5d(xs, [n, pz, py, px, 1]), labels: tf.tensor4d(ys, [n, pz, py, px], 'int32') };
      },
      loss: (out, b) => {
        if (!out.logits) throw new Error('the model has no segmentation head');
        return diceCrossEntropy(out.logits, b.labels);
      },
      validate: (model) => ({ dice: validationDice(model, val.length ? val : train, input.patch, classes) }),
    };
  },
};
