import * as tf from '@tensorflow/tfjs-core';
import type { Vec3, Volume } from '../../volume/Volume';
import { reorientTo } from '../../volume/geometry/reorient';
import { medianSpacing } from '../../volume/preprocess/spacing';
import { diceCrossEntropy } from '../../engine/train/losses';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { LIVER_STAGE } from '../../engine/models/heads/LiverTwoStageHead';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';
import { DatasetError, loadSegmentationCase, type LabelEntry, type SegmentationDataset } from '../../datasets';
import type { TaskPreprocessing } from '../engine/taskModel';
import { meanForegroundDice } from '../train/segmentationRecipe';
import { samplePatch } from '../train/segmentationSample';
import type { PreparedTraining, RecipeInput, TrainingRecipe } from '../train/TrainingRecipe';
import { liverStagePreprocessing, segmentLiver } from './liverTask';
import { rotateTranslate } from './liverTraining';
import { coarseView, fineView, type StageView } from './liverViews';
import { splitLiverStages } from './splitLiverStages';

/**
 * `med3d train --task liver`: both stages of the paper's liver pipeline trained together on one
 * encoder (LiverTwoStageHead), steps alternating between them. Coarse steps see whole scans
 * resized to the training patch size (HU window, z-score); fine steps see patches of the liver ROI
 * cropped with a random expansion (randomExpandedCrop) and resampled to the fine spacing, then
 * randomly rotated and translated (rotateTranslate), as the paper trains its DenseASPP.
 * Validation runs the real two-stage pipeline (liverTask.segmentLiver) on held-out scans and
 * scores Dice on their own grids, so the best weights are the best pair.
 */

/** Label names that count as liver: the liver itself and lesions inside it (LiTS: 1 liver, 2 tumour). */
const LIVER_NAME = /liver/i;
const LESION_NAME = /tumou?r|lesion|cancer|metasta/i;

/** Dataset label values merged into the liver class; error naming the dataset when it has no liver label. */
export function liverValues(ds: SegmentationDataset): { values: number[]; liver: LabelEntry } {
  const liver = ds.labels.find((l) => l.value !== 0 && LIVER_NAME.test(l.name));
  if (!liver) throw new DatasetError(ds.root, `no label named 'liver' (labels: ${ds.labels.map((l) => `${l.value}=${l.name}`).join(', ')}): the liver task needs one`);
  const values = ds.labels.filter((l) => l.value !== 0 && (l === liver || LESION_NAME.test(l.name))).map((l) => l.value);
  return { values, liver };
}

/** One scan with its liver mask (1 = liver, on the scan's grid): what both stages learn from. */
export interface LiverItem {
  id: string;
  ct: Volume;
  liver: Uint8Array;
}

interface LiverCase extends LiverItem {
  coarse: StageView;
}

async function loadLiverItems(ds: SegmentationDataset, values: readonly number[]): Promise<LiverItem[]> {
  const out: LiverItem[] = [];
  const set = new Set(values);
  for (const ref of ds.cases) {
    const c = await loadSegmentationCase(ds, ref);
    if (!c.label) continue;
    out.push({ id: ref.id, ct: c.image, liver: Uint8Array.from(c.label.data, (v) => (set.has(v) ? 1 : 0)) });
  }
  return out;
}

async function medianTrainingSpacing(ds: SegmentationDataset, orientation?: string): Promise<Vec3> {
  const spacings: Vec3[] = [];
  for (const ref of ds.cases) {
    const c = await loadSegmentationCase(ds, ref);
    spacings.push(orientation ? reorientTo(c.image, orientation).volume.spacing : c.image.spacing);
  }
  return medianSpacing(spacings);
}

function stack(items: { input: Float32Array; labels: Int32Array }[], dims: Vec3): { x: tf.Tensor5D; labels: tf.Tensor4D } {
  const n = dims[0] * dims[1] * dims[2];
  const xs = new Float32Array(items.length * n);
  const ys = new Int32Array(items.length * n);
  items.forEach((p, b) => {
    xs.set(p.input, b * n);
    ys.set(p.labels, b * n);
  });
  return { x: tf.tensor5d(xs, [items.length, dims[2], dims[1], dims[0], 1]), labels: tf.tensor4d(ys, [items.length, dims[2], dims[1], dims[0]], 'int32') };
}

/** A coarse training input: the whole resized scan, rotated and shifted a little (the paper's augmentation). */
function coarseItem(c: LiverCase, rng: SeededRandom, augment: boolean): { input: Float32Array; labels: Int32Array } {
  const p = { input: c.coarse.input, labels: Int32Array.from(c.coarse.labels) };
  return augment ? rotateTranslate(p, c.coarse.dims, rng) : p;
}

/** A fine training patch: random expanded ROI → fine preprocessing → foreground-biased patch → rotation/translation. */
function fineItem(c: LiverCase, fine: TaskPreprocessing, patch: Vec3, rng: SeededRandom, augment: boolean): { input: Float32Array; labels: Int32Array } {
  const view = fineView(c.ct, c.liver, fine, rng.int(0, 0x7fffffff)) ?? { ...c.coarse };
  const p = samplePatch({ id: c.id, ...view }, { patch, augment: null }, rng);
  return augment ? rotateTranslate(p, patch, rng) : p;
}

/** Mean liver Dice of the two-stage pipeline over cases, on each scan's own grid. */
function liverValidationDice(model: Med3dModel, cases: readonly LiverCase[], stages: { coarse: TaskPreprocessing; fine: TaskPreprocessing }): number {
  const { coarse, fine } = splitLiverStages(model);
  try {
    let sum = 0;
    for (const c of cases) {
      const wrap = (m: Med3dModel, preprocessing: TaskPreprocessing) => ({ model: m, spec: m.spec, preprocessing, source: 'training', kind: 'med3d' as const });
      const { mask } = segmentLiver({ coarse: wrap(coarse, stages.coarse), fine: wrap(fine, stages.fine) }, c.ct);
      sum += meanForegroundDice(mask.data, c.liver, 2);
    }
    return cases.length ? sum / cases.length : NaN;
  } finally {
    coarse.dispose();
    fine.dispose();
  }
}

/**
 * What the training loop needs to train both stages on `train` and validate the pair on `val`
 * (on `train` when there is no held-out case): used by `med3d train --task liver` (liverRecipe)
 * and by fine-tuning from the workspace's liver masks (fineTuneLiver). `pre` is the two-stage
 * model's stored preprocessing; its window and inputDims are the training patch.
 */
export function liverTraining(train: readonly LiverItem[], val: readonly LiverItem[], pre: TaskPreprocessing, o: { batchSize: number; augment: boolean }): Pick<PreparedTraining, 'batch' | 'loss' | 'validate'> {
  if (train.length === 0) throw new Error('no labelled training cases');
  const patch = pre.window;
  if (!patch || !pre.inputDims) throw new Error('two-stage liver preprocessing needs window and inputDims (the training patch)');
  const stages = liverStagePreprocessing(pre);
  const withCoarse = (c: LiverItem): LiverCase => ({ ...c, coarse: coarseView(c.ct, c.liver, stages.coarse) });
  const trainCases = train.map(withCoarse);
  const valCases = val.map(withCoarse);
  const n = o.batchSize;
  return {
    batch: (_epoch, index, seed) => {
      const rng = seededRandom(seed);
      const stage = index % 2 === 0 ? LIVER_STAGE.coarse : LIVER_STAGE.fine;
      const pick = (): LiverCase => trainCases[rng.int(0, trainCases.length - 1)];
      if (stage === LIVER_STAGE.coarse) return { ...stack(Array.from({ length: n }, () => coarseItem(pick(), rng, o.augment)), trainCases[0].coarse.dims), domain: stage };
      return { ...stack(Array.from({ length: n }, () => fineItem(pick(), stages.fine, patch, rng, o.augment)), patch), domain: stage };
    },
    loss: (out, b) => {
      if (!out.logits) throw new Error('the model has no segmentation head');
      return diceCrossEntropy(out.logits, b.labels);
    },
    validate: (model) => ({ dice: liverValidationDice(model, valCases.length ? valCases : trainCases, stages) }),
  };
}

/** The two-stage model's preprocessing for training patches of `patch` voxels; a missing fine spacing is the training cases' median. */
export async function liverTrainingPreprocessing(base: TaskPreprocessing, patch: Vec3, spacings: () => Promise<Vec3>): Promise<TaskPreprocessing> {
  const pre: TaskPreprocessing = { ...base, window: patch, inputDims: patch };
  if (!pre.spacing) pre.spacing = (await spacings()).map((s) => +s.toFixed(4)) as Vec3;
  return pre;
}

export const liverRecipe: TrainingRecipe = {
  id: 'liver-two-stage',
  kind: 'segmentation',
  async prepare(input: RecipeInput): Promise<PreparedTraining> {
    if (input.train.kind !== 'segmentation' || input.val.kind !== 'segmentation') throw new Error(`task '${input.def.id}' trains on a segmentation dataset (images + labels), not a CSV`);
    const { values, liver } = liverValues(input.train);
    const train = input.train;
    // One network input size for both stages: fine patches and the coarse stage's resized scan.
    const pre = await liverTrainingPreprocessing(input.preprocessing, input.patch, async () => {
      const s = await medianTrainingSpacing(train, input.preprocessing.orientation);
      input.log(`fine-stage spacing (per-axis median of the training cases): ${s.map((x) => +x.toFixed(4)).join(' x ')} mm`);
      return s;
    });
    const stages = liverStagePreprocessing(pre);
    input.log(`liver = label${values.length > 1 ? 's' : ''} ${values.join(', ')} (${liver.name}); coarse input ${stages.coarse.inputDims!.join('x')}, fine patches ${input.patch.join('x')} at ${pre.spacing!.join(' x ')} mm`);
    const trainItems = await loadLiverItems(train, values);
    const valItems = await loadLiverItems(input.val, values);
    return {
      preprocessing: pre,
      trainCount: trainItems.length,
      valCount: valItems.length,
      ...liverTraining(trainItems, valItems, pre, { batchSize: input.batchSize, augment: input.augment }),
    };
  },
};
