import type { LabelMap, Volume } from '../../volume/Volume';
import { COLD_START_THRESHOLD_HU, coldStartLungMask, type ColdStartLungOptions } from './coldStartLungMask';
import { LUNG_LABELS } from './lungLabels';
import { labelVolumesMl } from '../mask/maskMetrics';
import type { ModelSegmentation } from '../engine/segmentVolume';
import { thresholdEntropy } from '../activeLearning/thresholdEntropy';

/**
 * The lung task's entry point: the cold-start classical mask, or a Med3D model when one is given
 * (`predict` maps a CT to a label map on the CT's own grid; see lungModel.ts).
 */
export interface LungSegmentation {
  /** 1 = right lung, 2 = left lung (a one-class model writes 1 for "lung"), on the CT's grid. */
  mask: LabelMap;
  method: 'cold-start' | 'model';
  volumesMl: { right: number; left: number; total: number };
  notes: string[];
  timeMs: number;
  /** Active learning's score: the model's mean softmax entropy, or the cold start's soft-threshold entropy (nats). */
  uncertainty: { value: number; measure: 'entropy' | 'threshold-entropy' };
}

export interface LungPredictor {
  /** Short description for reports, e.g. "resnet10 lung-decoder v3". */
  describe(): string;
  predict(ct: Volume, signal?: AbortSignal): Promise<ModelSegmentation>;
}

export async function segmentLungs(ct: Volume, opts: { model?: LungPredictor; coldStart?: ColdStartLungOptions; signal?: AbortSignal } = {}): Promise<LungSegmentation> {
  const t0 = performance.now();
  if (!opts.model) {
    const r = coldStartLungMask(ct, opts.coldStart);
    const value = thresholdEntropy(ct.data, ct.dims, r.mask.data, opts.coldStart?.thresholdHu ?? COLD_START_THRESHOLD_HU);
    return { mask: r.mask, method: 'cold-start', volumesMl: r.volumesMl, notes: r.notes, timeMs: performance.now() - t0, uncertainty: { value, measure: 'threshold-entropy' } };
  }
  const { mask, meanEntropy } = await opts.model.predict(ct, opts.signal);
  const v = labelVolumesMl(mask);
  const right = v.get(LUNG_LABELS.right) ?? 0;
  const left = v.get(LUNG_LABELS.left) ?? 0;
  return { mask, method: 'model', volumesMl: { right, left, total: right + left }, notes: [`model: ${opts.model.describe()}`], timeMs: performance.now() - t0, uncertainty: { value: meanEntropy, measure: 'entropy' } };
}
