import type { Med3dModel } from '../../engine/models/Med3dModel';
import { backendReport } from '../../engine/backend/selectBackend';

/** What a fine-tune job reports about its run beside its comparison (both fine-tune kinds, 'finetune' and 'nodule:finetune'). */
export interface FineTuneRunSummary {
  bestStep: number;
  steps: number;
  stopReason: string;
  pretrained: boolean;
  /** e.g. 'resnet10-w8'. */
  backbone: string;
  backend: string;
  /** Seconds of training (all runs of a resumed job) plus the comparison. */
  seconds: number;
  notes: string[];
}

/** The summary of a run of `model` on the backend the worker chose. */
export function fineTuneRunSummary(model: Med3dModel, run: { bestStep: number; steps: number; stopReason: string; seconds: number }, pretrained: boolean, notes: string[]): FineTuneRunSummary {
  return { ...run, pretrained, backbone: `resnet${model.spec.backbone.depth}-w${model.spec.backbone.baseWidth}`, backend: backendReport()?.backend ?? 'unknown', notes };
}
