import * as tf from '@tensorflow/tfjs-core';
import type { Var } from '../nn/autograd/Var';
import type { Med3dModel, ModelOutput } from '../models/Med3dModel';
import { readCheckpoint, saveCheckpoint, type CheckpointMeta, type HistoryEntry, type JsonValue, type Med3dCheckpoint } from '../weights/checkpoint';
import { computeGradients } from './computeGradients';
import { medicalNetParamGroups, Optimizer, type OptimizerConfig } from './optimizers';
import { lrFactor, type LrSchedule } from './schedules';

/**
 * The training loop: deterministic batches, progress events, cancel, periodic atomic
 * checkpoints and exact resume. Batches come from `batch(epoch, index, seed)`, a pure function
 * of its arguments, so a run resumed from step k sees exactly the batches the uninterrupted
 * run would have seen and ends with identical weights.
 */
export interface TrainBatch {
  /** NDHWC input batch (disposed by the loop after the step). */
  x: tf.Tensor5D;
  /** Class indices at the output resolution (disposed by the loop). */
  labels: tf.Tensor;
  /** Multi-domain pretraining: which branch this batch trains. */
  domain?: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Global step just completed (1-based). */
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  /** Samples per second over this run so far. */
  throughput: number;
  /** Estimated seconds left. */
  etaSeconds: number;
}

export interface TrainLoopOptions {
  model: Med3dModel;
  epochs: number;
  stepsPerEpoch: number;
  /** Deterministic batch source: same arguments, same batch. `seed` is derived from the run seed and step. */
  batch: (epoch: number, index: number, seed: number) => TrainBatch;
  loss: (out: ModelOutput, batch: TrainBatch) => Var;
  optimizer: OptimizerConfig;
  /** LR multiplier of non-encoder parameters (MedicalNet: 100). Default 1. */
  headLrScale?: number;
  freezeEncoder?: boolean;
  schedule?: LrSchedule;
  seed?: number;
  /** Save a checkpoint every N steps (and at the end / on cancel) to `checkpointFile`. */
  checkpointEvery?: number;
  checkpointFile?: string;
  /** Extra metadata (task, preprocessing, parent ...) stored in checkpoints. */
  meta?: Partial<CheckpointMeta>;
  /** Continue from a checkpoint written by this loop (file or parsed). */
  resumeFrom?: string | Med3dCheckpoint;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Keep BatchNorm in eval mode (running statistics, no updates) while training; default false. */
  freezeBatchNorm?: boolean;
  /** Called after each epoch's last step (e.g. validation Dice); the metrics go into the history. */
  evaluate?: (epoch: number) => Promise<Record<string, number>> | Record<string, number>;
}

export interface TrainResult {
  steps: number;
  cancelled: boolean;
  history: HistoryEntry[];
}

/** Seed of one step's batch: a stable hash of the run seed and global step. */
export function stepSeed(seed: number, step: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (step + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainResult> {
  const { model } = o;
  const total = o.epochs * o.stepsPerEpoch;
  const seed = o.seed ?? 0;
  const schedule = o.schedule ?? { kind: 'constant' };
  if (o.freezeEncoder) model.freezeEncoder(true);
  const opt = new Optimizer(o.optimizer, medicalNetParamGroups(model, o.headLrScale ?? 1));
  let step = 0;
  let history: HistoryEntry[] = [];
  if (o.resumeFrom) {
    const ck = typeof o.resumeFrom === 'string' ? await readCheckpoint(o.resumeFrom) : o.resumeFrom;
    model.loadStateDict(ck.stateDict);
    if (ck.optimizer) {
      if (ck.optimizer.kind !== o.optimizer.kind) throw new Error(`cannot resume: checkpoint optimizer is ${ck.optimizer.kind}, this run uses ${o.optimizer.kind}`);
      opt.loadStateDict(ck.optimizer.state, ck.optimizer.step);
      step = ck.optimizer.step;
    }
    history = [...(ck.meta.history ?? [])];
  }

  const save = async (): Promise<void> => {
    if (!o.checkpointFile) return;
    await saveCheckpoint(o.checkpointFile, {
      spec: model.spec,
      stateDict: model.stateDict(),
      optimizer: { kind: o.optimizer.kind, step, state: opt.stateDict(), hyper: { ...opt.hyper(), seed, schedule: schedule as unknown as JsonValue } },
      meta: { ...o.meta, createdAt: new Date().toISOString(), history },
    } as Med3dCheckpoint);
  };

  const t0 = performance.now();
  let samples = 0;
  const startStep = step;
  let cancelled = false;
  try {
    while (step < total) {
      if (o.signal?.aborted) {
        cancelled = true;
        break;
      }
      const epoch = Math.floor(step / o.stepsPerEpoch);
      const index = step % o.stepsPerEpoch;
      const b = o.batch(epoch, index, stepSeed(seed, step));
      const factor = lrFactor(schedule, step, total);
      let loss: number;
      try {
        const r = computeGradients(model, b.x, (out) => o.loss(out, b), { domain: b.domain, training: !o.freezeBatchNorm });
        loss = r.loss;
        if (!Number.isFinite(loss)) {
          r.grads.forEach((g) => g.dispose());
          throw new Error(`loss is ${loss} at step ${step + 1} (epoch ${epoch + 1}): lower the learning rate or check the labels`);
        }
        opt.step(r.grads, factor);
        r.grads.forEach((g) => g.dispose());
      } finally {
        samples += b.x.shape[0];
        b.x.dispose();
        b.labels.dispose();
      }
      step += 1;
      const lr = o.optimizer.lr * factor;
      history.push({ epoch: epoch + 1, step, loss, time: new Date().toISOString(), metrics: { lr } });
      const secs = (performance.now() - t0) / 1000;
      const perStep = secs / (step - startStep);
      o.onProgress?.({ epoch: epoch + 1, epochs: o.epochs, step, totalSteps: total, loss, lr, throughput: samples / secs, etaSeconds: perStep * (total - step) });
      if (o.evaluate && step % o.stepsPerEpoch === 0) {
        const metrics = await o.evaluate(epoch + 1);
        history.push({ epoch: epoch + 1, step, time: new Date().toISOString(), metrics: { ...metrics } });
      }
      if (o.checkpointEvery && step % o.checkpointEvery === 0 && step < total) await save();
      // Let cancel requests and progress consumers run between steps.
      await new Promise((r) => setImmediate(r));
    }
    await save();
  } finally {
    opt.dispose();
  }
  return { steps: step, cancelled, history };
}
