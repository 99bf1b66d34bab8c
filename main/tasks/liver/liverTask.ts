import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import { boundingBox, cropBox, expandBox, pasteBox, type Box } from '../../volume/preprocess/box';
import { mapToSource } from '../../volume/preprocess/spacing';
import { keepLargestComponents } from '../../../common/mask/connectedComponents';
import { argmaxLabels, meanEntropy, predictProbabilities } from '../engine/segmentationInference';
import { loadTaskModel, prepareInput, type TaskModel, type TaskPreprocessing } from '../engine/taskModel';
import type { PrepareTaskOptions, PreparedTask } from '../taskRegistry';
import { loadWeights } from '../../engine/weights/loadWeights';
import type { CheckpointMeta } from '../../engine/weights/checkpoint';
import { splitLiverStages } from './splitLiverStages';

/**
 * Two-stage liver segmentation (Med3D paper): HU window [-200, 250]; a coarse model (encoder +
 * 1x1x1 conv + trilinear upsampling) on the whole scan resized to a small grid finds the liver;
 * its largest component's box, widened by a margin, is cropped from the source scan; a fine
 * DenseASPP model segments the crop (sliding windows); the result is pasted back onto the source
 * grid. Training crops use a random expansion instead of the margin (see liverTraining.ts).
 */
export const LIVER_HU: [number, number] = [-200, 250];
export const LIVER_COARSE_PREPROCESSING: TaskPreprocessing = { huWindow: LIVER_HU, clip: null, inputDims: [64, 64, 48] };
export const LIVER_FINE_PREPROCESSING: TaskPreprocessing = { huWindow: LIVER_HU, clip: null, spacing: [2.5, 2.5, 2.5], window: [64, 64, 64] };

/**
 * A two-stage model stores one preprocessing: HU window, clip and orientation for both stages,
 * `inputDims` (the coarse stage's resized whole scan), `spacing` and `window` (the fine stage's
 * ROI resampling and sliding window).
 */
export function liverStagePreprocessing(p: TaskPreprocessing): { coarse: TaskPreprocessing; fine: TaskPreprocessing } {
  const common: TaskPreprocessing = { huWindow: p.huWindow ?? LIVER_HU, clip: p.clip === undefined ? null : p.clip, orientation: p.orientation };
  return {
    coarse: { ...common, inputDims: p.inputDims ?? LIVER_COARSE_PREPROCESSING.inputDims },
    fine: { ...common, spacing: p.spacing ?? LIVER_FINE_PREPROCESSING.spacing, window: p.window ?? LIVER_FINE_PREPROCESSING.window },
  };
}

/** Inference margin around the coarse ROI, mm. */
const LIVER_MARGIN_MM = 15;

export interface LiverModels {
  coarse?: TaskModel;
  fine?: TaskModel;
  /** Output label (default 1 = liver). */
  label?: LiverLabel;
}

/** The liver's value and name in output masks (a trained model carries its dataset's). */
export interface LiverLabel {
  value: number;
  name: string;
}
const DEFAULT_LIVER_LABEL: LiverLabel = { value: 1, name: 'liver' };

function toLabelMap(labels: Uint8Array, grid: Volume, source: Volume, label: LiverLabel = DEFAULT_LIVER_LABEL): LabelMap {
  if (label.value !== 1) labels = labels.map((v) => (v === 1 ? label.value : 0));
  return {
    data: labels,
    dims: [...grid.dims] as Vec3,
    spacing: [...grid.spacing] as Vec3,
    affine: new Float64Array(grid.affine),
    meta: { source: source.meta.source, datatype: 'uint8', modality: 'SEG', warnings: [] },
    labels: [{ value: label.value, name: label.name, color: [221, 130, 101] }],
  };
}

/** Coarse stage: liver mask (largest component) on the source grid, or null when none found; with its mean softmax entropy. */
function coarseLiver(m: TaskModel, ct: Volume, signal?: AbortSignal): { mask: Uint8Array | null; meanEntropy: number } {
  const input = prepareInput(ct, m.preprocessing);
  const probs = predictProbabilities(m.model, input, { window: m.preprocessing.window, signal });
  const back = mapToSource(toLabelMap(argmaxLabels(probs), input, ct), ct, { interpolation: 'label' });
  const bin = new Uint8Array(back.data.length);
  let any = false;
  for (let p = 0; p < bin.length; p++) if (back.data[p] === 1) (bin[p] = 1), (any = true);
  return { mask: any ? keepLargestComponents(bin, ct.dims, 1) : null, meanEntropy: meanEntropy(probs) };
}

/** ROI box on the source grid: the coarse mask's bounding box plus `marginMm`, clamped to the scan. */
export function roiBox(mask: Uint8Array, ct: Volume, marginMm = LIVER_MARGIN_MM): Box | null {
  const b = boundingBox(mask, ct.dims);
  if (!b) return null;
  const margin = ct.spacing.map((s) => Math.ceil(marginMm / s)) as Vec3;
  return expandBox(b, { margin, clampTo: ct.dims });
}

/** Fine stage on a crop: DenseASPP probabilities → mask on the crop's grid, with their mean entropy. */
function fineLiver(m: TaskModel, crop: Volume, signal?: AbortSignal): { mask: Uint8Array; meanEntropy: number } {
  const input = prepareInput(crop, m.preprocessing);
  const probs = predictProbabilities(m.model, input, { window: m.preprocessing.window, signal });
  const back = mapToSource(toLabelMap(argmaxLabels(probs), input, crop), crop, { interpolation: 'label' });
  return { mask: back.data instanceof Uint8Array ? back.data : Uint8Array.from(back.data), meanEntropy: meanEntropy(probs) };
}

/**
 * The two stages on a scan. `uncertainty` (active learning) is the mean softmax entropy of the
 * stage that decided the mask: the fine stage over its ROI, else the coarse stage over the scan.
 */
export function segmentLiver(models: LiverModels, ct: Volume, signal?: AbortSignal): { mask: LabelMap; notes: string[]; uncertainty: { value: number; measure: 'entropy' } } {
  const notes: string[] = [];
  if (!models.coarse && !models.fine) throw new Error('liver: no model given');
  let box: Box = { start: [0, 0, 0], size: [...ct.dims] as Vec3 };
  let coarse: Uint8Array | null = null;
  let entropy = 0;
  if (models.coarse) {
    const c = coarseLiver(models.coarse, ct, signal);
    coarse = c.mask;
    entropy = c.meanEntropy;
    if (!coarse) {
      notes.push('coarse stage found no liver');
      return { mask: toLabelMap(new Uint8Array(ct.data.length), ct, ct, models.label), notes, uncertainty: { value: entropy, measure: 'entropy' } };
    }
    box = roiBox(coarse, ct) ?? box;
    notes.push(`coarse ROI ${box.size.join('x')} voxels at ${box.start.join(',')}`);
  } else notes.push('no coarse model: fine model on the whole scan');
  if (!models.fine) {
    notes.push('no fine model: coarse mask only');
    return { mask: toLabelMap(coarse!, ct, ct, models.label), notes, uncertainty: { value: entropy, measure: 'entropy' } };
  }
  const crop = cropBox(ct, box);
  const fine = fineLiver(models.fine, crop, signal);
  const full = pasteBox(fine.mask, box, ct.dims, 0);
  return { mask: toLabelMap(keepLargestComponents(full, ct.dims, 1), ct, ct, models.label), notes, uncertainty: { value: fine.meanEntropy, measure: 'entropy' } };
}

/** The liver entry of a model's stored label table (meta.labels), if it has one. */
function storedLiverLabel(meta: CheckpointMeta | undefined): LiverLabel | undefined {
  const labels = meta?.labels;
  if (!Array.isArray(labels)) return undefined;
  const entries = labels.filter((l): l is { value: number; name: string } => typeof l === 'object' && l !== null && !Array.isArray(l) && typeof l.value === 'number' && typeof l.name === 'string');
  const fg = entries.filter((l) => l.value !== 0);
  const liver = fg.find((l) => /liver/i.test(l.name)) ?? (fg.length === 1 ? fg[0] : undefined);
  return liver && { value: liver.value, name: liver.name };
}

/**
 * `--model` for the liver task: one two-stage model (what `med3d train --task liver` writes),
 * 'coarse,fine' (two files or workspace versions), or one model whose head says which stage it
 * is (liver-coarse or dense-aspp).
 */
export async function loadLiverModels(ref: string, opts: PrepareTaskOptions): Promise<LiverModels> {
  const parts = ref.split(',').map((s) => s.trim()).filter(Boolean);
  const out: LiverModels = {};
  for (const part of parts) {
    const probe = await loadTaskModel(part, { workspace: opts.workspace });
    const kind = probe.spec.head.kind;
    if (kind === 'liver-two-stage') {
      const { coarse, fine } = splitLiverStages(probe.model);
      probe.model.dispose();
      const stages = liverStagePreprocessing(probe.preprocessing);
      out.coarse = { ...probe, model: coarse, spec: coarse.spec, preprocessing: stages.coarse };
      out.fine = { ...probe, model: fine, spec: fine.spec, preprocessing: stages.fine };
      out.label = storedLiverLabel((await loadWeights(probe.source)).checkpoint?.meta);
    } else if (kind === 'liver-coarse') out.coarse = { ...probe, preprocessing: { ...LIVER_COARSE_PREPROCESSING, ...probe.preprocessing } };
    else if (kind === 'dense-aspp' || kind === 'medicalnet-seg' || kind === 'lung-decoder') out.fine = { ...probe, preprocessing: { ...LIVER_FINE_PREPROCESSING, ...probe.preprocessing } };
    else throw new Error(`model ${probe.source} has a '${kind}' head: the liver task needs a two-stage liver model (med3d train --task liver), or a liver-coarse and/or a dense-aspp model`);
  }
  return out;
}

export async function prepare(opts: PrepareTaskOptions): Promise<PreparedTask> {
  const models = await loadLiverModels(opts.model!, opts);
  const describe = [models.coarse && `coarse ${models.coarse.versionId ?? models.coarse.source}`, models.fine && `fine ${models.fine.versionId ?? models.fine.source}`].filter(Boolean).join(' + ');
  return {
    task: 'liver',
    method: `two-stage liver (${describe})`,
    run: async (ct, signal) => segmentLiver(models, ct, signal),
  };
}
