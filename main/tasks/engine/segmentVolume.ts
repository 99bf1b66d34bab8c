import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import { mapToSource } from '../../volume/preprocess/spacing';
import type { LabelEntry } from '../../datasets';
import { argmaxLabels, meanEntropy, predictProbabilities } from './segmentationInference';
import { prepareInput, type TaskModel } from './taskModel';

export interface ModelSegmentation {
  mask: LabelMap;
  /** Mean voxel entropy (nats) of the class probabilities on the model's grid: active learning's uncertainty. */
  meanEntropy: number;
}

/**
 * A segmentation model's mask of one scan, on the scan's own grid: the model's stored
 * preprocessing, sliding windows of its training patch, argmax, class c written as
 * `labels[c].value` (the dataset's own values and names), label-vote resampling back.
 */
export function segmentVolume(tm: TaskModel, ct: Volume, labels: readonly LabelEntry[], signal?: AbortSignal): ModelSegmentation {
  const input = prepareInput(ct, tm.preprocessing);
  const probs = predictProbabilities(tm.model, input, { window: tm.preprocessing.window, signal });
  if (probs.classes !== labels.length) throw new Error(`model ${tm.source} predicts ${probs.classes} classes but its label table has ${labels.length}`);
  const cls = argmaxLabels(probs);
  const wide = labels.some((l) => l.value > 255);
  const data = wide ? new Uint16Array(cls.length) : new Uint8Array(cls.length);
  for (let q = 0; q < cls.length; q++) data[q] = labels[cls[q]].value;
  const onModelGrid: LabelMap = {
    data,
    dims: [...input.dims] as Vec3,
    spacing: [...input.spacing] as Vec3,
    affine: new Float64Array(input.affine),
    meta: { source: ct.meta.source, datatype: wide ? 'uint16' : 'uint8', modality: 'SEG', warnings: [] },
    labels: labels.filter((l) => l.value !== 0).map((l) => ({ value: l.value, name: l.name })),
  };
  const back = mapToSource(onModelGrid, ct, { interpolation: 'label' });
  const out = wide ? (back.data instanceof Uint16Array ? back.data : Uint16Array.from(back.data)) : back.data instanceof Uint8Array ? back.data : Uint8Array.from(back.data);
  return { mask: { ...back, data: out, labels: onModelGrid.labels }, meanEntropy: meanEntropy(probs) };
}
