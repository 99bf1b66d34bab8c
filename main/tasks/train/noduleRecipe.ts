import * as tf from '@tensorflow/tfjs-core';
import type { Vec3 } from '../../volume/Volume';
import { crossEntropy } from '../../engine/train/losses';
import { accuracy, auc } from '../../engine/train/metrics';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { seededRandom } from '../../util/seededRandom';
import { itemCenterVoxel, loadDatasetImage, type ClassificationDataset, type ClassificationItem } from '../../datasets';
import type { TaskPreprocessing } from '../engine/taskModel';
import { malignancyProbabilities, scanNoduleInputs } from '../nodule/noduleTask';
import type { PreparedTraining, RecipeInput, TrainingRecipe } from './TrainingRecipe';

/**
 * Nodule malignancy from patches (the paper's encoder + GAP + FC): each scan is normalised once
 * as a whole (HU window if any, 0.5–99.5 percentile clip, z-score), then an isotropic patch
 * (32³ at ~1 mm by default, axes along the scan's) is cut around each nodule centre. Training
 * sees random shifts of up to 1/8 of the patch and flips; validation and prediction the centred
 * patch. Cross-entropy; the mean of validation AUC and accuracy at 0.5 picks the best weights.
 */
const MARGIN = 8;

/** Cut a `size` box at `offset` out of a (size + 2·margin)³ patch, flipping axes where asked. */
function cropFlip(src: Float32Array, size: Vec3, margin: number, offset: Vec3, flip: [boolean, boolean, boolean]): Float32Array {
  const bx = size[0] + 2 * margin;
  const by = size[1] + 2 * margin;
  const out = new Float32Array(size[0] * size[1] * size[2]);
  let w = 0;
  for (let k = 0; k < size[2]; k++) {
    const kk = margin + offset[2] + (flip[2] ? size[2] - 1 - k : k);
    for (let j = 0; j < size[1]; j++) {
      const jj = margin + offset[1] + (flip[1] ? size[1] - 1 - j : j);
      for (let i = 0; i < size[0]; i++) out[w++] = src[margin + offset[0] + (flip[0] ? size[0] - 1 - i : i) + bx * (jj + by * kk)];
    }
  }
  return out;
}

/** Centred model inputs for CSV items, each scan read and normalised once. */
export async function noduleInputs(items: readonly ClassificationItem[], p: TaskPreprocessing, size: Vec3, margin = 0): Promise<Float32Array[]> {
  const byImage = new Map<string, ClassificationItem[]>();
  for (const it of items) byImage.set(it.image, [...(byImage.get(it.image) ?? []), it]);
  const out = new Map<ClassificationItem, Float32Array>();
  for (const [file, its] of byImage) {
    const ct = await loadDatasetImage(file);
    const xs = scanNoduleInputs(ct, its.map((it) => itemCenterVoxel(ct, it)), p, size, margin);
    its.forEach((it, q) => out.set(it, xs[q]));
  }
  return items.map((it) => out.get(it)!);
}

/** P(class 1) for each CSV item, in order: what `evaluate` and batch classification report. */
export async function predictNodules(model: Med3dModel, items: readonly ClassificationItem[], p: TaskPreprocessing, size: Vec3): Promise<number[]> {
  return malignancyProbabilities(model, await noduleInputs(items, p, size), size);
}

/** Split rows into training and validation, stratified by label so both classes are validated. */
export function stratifiedSplit<T extends { label: 0 | 1 }>(items: readonly T[], fraction: number): { train: T[]; val: T[] } {
  const train: T[] = [];
  const val: T[] = [];
  for (const cls of [0, 1] as const) {
    const of = items.filter((x) => x.label === cls);
    const nVal = of.length < 2 ? 0 : Math.min(of.length - 1, Math.max(1, Math.round(of.length * fraction)));
    const stride = of.length / Math.max(1, nVal);
    const pick = new Set(Array.from({ length: nVal }, (_, i) => Math.floor(i * stride + stride / 2)));
    of.forEach((x, i) => (pick.has(i) ? val : train).push(x));
  }
  return { train, val };
}

/** Augmentation margin (voxels) of training patches: up to 1/8 of the patch. */
export function noduleMargin(size: Vec3, augment: boolean): number {
  return augment ? Math.max(1, Math.round(Math.min(...size) / 8)) : 0;
}

/**
 * What the training loop needs for nodule patches: `trainX` are patches of size + 2·margin
 * (shifted and flipped at random when `augment`), `valX` centred patches of `size`; validation
 * (AUC + accuracy) / 2 on the held-out patches, or on the centred training patches without any.
 * Used by `med3d train --task nodule` (noduleRecipe) and by fine-tuning from the workspace's
 * nodule marks (fineTuneNodule).
 */
export function noduleTraining(
  train: { x: readonly Float32Array[]; y: readonly (0 | 1)[] },
  val: { x: readonly Float32Array[]; y: readonly (0 | 1)[] },
  o: { size: Vec3; margin: number; batchSize: number; augment: boolean },
): Pick<PreparedTraining, 'batch' | 'loss' | 'validate'> {
  const { size, margin } = o;
  if (train.x.length === 0) throw new Error('no training nodules');
  const n = Math.min(o.batchSize, train.x.length);
  const vox = size[0] * size[1] * size[2];
  return {
    batch: (_e, _i, seed) => {
      const rng = seededRandom(seed);
      const xs = new Float32Array(n * vox);
      const ys = new Int32Array(n);
      for (let b = 0; b < n; b++) {
        const q = rng.int(0, train.x.length - 1);
        const off: Vec3 = [rng.int(-margin, margin), rng.int(-margin, margin), rng.int(-margin, margin)];
        const flip: [boolean, boolean, boolean] = o.augment ? [rng.next() < 0.5, rng.next() < 0.5, rng.next() < 0.5] : [false, false, false];
        xs.set(cropFlip(train.x[q], size, margin, off, flip), b * vox);
        ys[b] = train.y[q];
      }
      return { x: tf.tensor5d(xs, [n, size[2], size[1], size[0], 1]), labels: tf.tensor1d(ys, 'int32') };
    },
    loss: (out, b) => {
      if (!out.logits) throw new Error('the model has no classifier head');
      return crossEntropy(out.logits, b.labels);
    },
    validate: (model) => {
      const xs = val.x.length ? [...val.x] : train.x.map((x) => cropFlip(x, size, margin, [0, 0, 0], [false, false, false]));
      const ys = val.x.length ? [...val.y] : [...train.y];
      const probs = malignancyProbabilities(model, xs, size);
      const a = Number.isNaN(auc(probs, ys)) ? 0.5 : auc(probs, ys);
      const acc = accuracy(probs.map((p) => (p >= 0.5 ? 1 : 0)), ys);
      // AUC alone saturates early (ranking right, threshold not yet): the mean with accuracy decides.
      return { score: (a + acc) / 2, auc: a, accuracy: acc };
    },
  };
}

export const noduleRecipe: TrainingRecipe = {
  id: 'nodule-patches',
  kind: 'classification',
  async prepare(input: RecipeInput): Promise<PreparedTraining> {
    if (input.train.kind !== 'classification' || input.val.kind !== 'classification') throw new Error(`task '${input.def.id}' trains on a classification CSV (image, x, y, z, malignancy|label)`);
    const pre: TaskPreprocessing = { ...input.preprocessing, patchSpacingMm: input.preprocessing.patchSpacingMm ?? 1, window: input.patch };
    const size = input.patch;
    const margin = noduleMargin(size, input.augment);
    const trainItems = input.train.items;
    const valItems = input.val.items;
    if (trainItems.length === 0) throw new Error('no training rows');
    const train = { x: await noduleInputs(trainItems, pre, size, margin), y: trainItems.map((x) => x.label) };
    const val = { x: await noduleInputs(valItems, pre, size), y: valItems.map((x) => x.label) };
    input.log(`${trainItems.length} training nodule(s) (${train.y.filter((y) => y === 1).length} positive), ${valItems.length} validation; patch ${size.join('x')} at ${pre.patchSpacingMm} mm`);
    return {
      preprocessing: pre,
      trainCount: trainItems.length,
      valCount: valItems.length,
      ...noduleTraining(train, val, { size, margin, batchSize: input.batchSize, augment: input.augment }),
    };
  },
};
