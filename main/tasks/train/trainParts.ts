import { existsSync } from 'node:fs';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import type { StateDict } from '../../engine/nn/StateDict';
import { readCheckpoint, type CheckpointMeta } from '../../engine/weights/checkpoint';
import { trainLoop, type StopReason } from '../../engine/train/trainLoop';
import type { PreparedTraining } from './TrainingRecipe';

/**
 * Fine-tuning a model on the one training loop from a recipe's parts (batch, loss, validate):
 * a budget in steps and/or seconds, validation every `evalEvery` steps (or every tenth of a time
 * budget) keeping the best weights, early stop after `patience` validations without improvement,
 * resumable checkpoints and a best-weights file that a cancelled run falls back to. Used by the
 * workspace fine-tuning of the two-stage liver model and of the nodule classifier, whose batches
 * come from their recipes rather than from segmentation patches.
 */
export interface PartsTrainingOptions {
  model: Med3dModel;
  parts: Pick<PreparedTraining, 'batch' | 'loss' | 'validate'>;
  /** Key of `validate`'s result that picks the best weights (higher is better). */
  metric: string;
  /** False: nothing held out, so no validation (the final weights are kept). */
  validate: boolean;
  steps?: number;
  maxSeconds?: number;
  lr: number;
  seed?: number;
  evalEvery?: number;
  patience?: number;
  signal?: AbortSignal;
  checkpointFile?: string;
  bestFile?: string;
  resume?: boolean;
  checkpointSeconds?: number;
  meta?: Partial<CheckpointMeta>;
  onProgress?: (e: { step: number; steps: number; loss: number; metrics?: Record<string, number> }) => void;
}

export interface PartsTrainingResult {
  /** Best value of `metric` (NaN without validation). */
  best: number;
  bestMetrics: Record<string, number>;
  bestStep: number;
  steps: number;
  stopReason: StopReason;
  cancelled: boolean;
  elapsedSeconds: number;
  stateDict: StateDict;
  history: Array<{ step: number; loss?: number; metrics?: Record<string, number> }>;
}

export async function trainParts(o: PartsTrainingOptions): Promise<PartsTrainingResult> {
  if (o.steps === undefined && o.maxSeconds === undefined) throw new Error('fine-tuning needs a budget: steps or minutes');
  const evalEvery = o.evalEvery ?? (o.steps !== undefined ? Math.max(1, Math.floor(o.steps / 5)) : Number.MAX_SAFE_INTEGER);
  const r = await trainLoop({
    model: o.model,
    epochs: 1,
    stepsPerEpoch: o.steps ?? 1e9,
    maxSeconds: o.maxSeconds,
    seed: o.seed ?? 1,
    optimizer: { kind: 'adam', lr: o.lr },
    batch: o.parts.batch,
    loss: o.parts.loss,
    ...(o.validate
      ? {
          validation: {
            every: evalEvery,
            ...(o.maxSeconds !== undefined ? { everySeconds: Math.max(5, o.maxSeconds / 10) } : {}),
            metric: o.metric,
            patience: o.patience ?? 2,
            ...(o.bestFile ? { bestFile: o.bestFile } : {}),
            run: () => o.parts.validate(o.model),
          },
        }
      : {}),
    checkpointFile: o.checkpointFile,
    checkpointEvery: o.checkpointFile && o.steps !== undefined ? evalEvery : undefined,
    checkpointSeconds: o.checkpointFile ? (o.checkpointSeconds ?? 20) : undefined,
    meta: o.meta,
    resumeFrom: o.resume && o.checkpointFile && existsSync(o.checkpointFile) ? o.checkpointFile : undefined,
    signal: o.signal,
    onProgress: (p) => o.onProgress?.({ step: p.step, steps: p.totalSteps, loss: p.loss, ...(p.validation && p.step % evalEvery === 0 ? { metrics: p.validation } : {}) }),
  });
  // On cancel the loop leaves the last weights in the model: the best validated ones are the candidate.
  if (r.cancelled && r.best && o.bestFile && existsSync(o.bestFile)) o.model.loadStateDict((await readCheckpoint(o.bestFile)).stateDict);
  return {
    best: r.best?.value ?? Number.NaN,
    bestMetrics: r.best?.metrics ?? {},
    bestStep: r.best?.step ?? r.steps,
    steps: r.steps,
    stopReason: r.stopReason,
    cancelled: r.cancelled,
    elapsedSeconds: r.elapsedSeconds,
    stateDict: o.model.stateDict(),
    history: r.history.map((h) => ({ step: h.step ?? 0, ...(h.loss !== undefined ? { loss: h.loss } : {}), ...(h.metrics ? { metrics: h.metrics } : {}) })),
  };
}
