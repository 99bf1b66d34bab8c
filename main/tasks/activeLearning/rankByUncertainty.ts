import type { Volume } from '../../volume/Volume';
import { meanEntropy, predictProbabilities } from '../engine/segmentationInference';
import { prepareInput, type TaskModel } from '../engine/taskModel';

/**
 * Active learning: rank unlabelled cases by the model's uncertainty, the mean voxel entropy of
 * its softmax output (nats; 0 = certain, ln(classes) = uniform), most uncertain first. The app
 * offers the first one as "next case to correct".
 */
export interface UncertaintyRank {
  id: string;
  meanEntropy: number;
}

export function rankByUncertainty(m: TaskModel, cases: Array<{ id: string; ct: Volume }>, signal?: AbortSignal): UncertaintyRank[] {
  const out: UncertaintyRank[] = [];
  for (const c of cases) {
    if (signal?.aborted) throw new Error('cancelled');
    const input = prepareInput(c.ct, m.preprocessing);
    out.push({ id: c.id, meanEntropy: meanEntropy(predictProbabilities(m.model, input, { window: m.preprocessing.window, signal })) });
  }
  return out.sort((a, b) => b.meanEntropy - a.meanEntropy || (a.id < b.id ? -1 : 1));
}
