import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import type { Var } from '../nn/autograd/Var';
import type { Med3dModel, ModelOutput } from '../models/Med3dModel';
import { readCheckpoint, saveCheckpoint, type CheckpointMeta, type HistoryEntry, type JsonValue, type Med3dCheckpoint } from '../weights/checkpoint';
import type { StateDict } from '../nn/StateDict';
import { computeGradients } from './computeGradients';
import { applyFreeze, type FreezeSpec } from './freeze';
import { medicalNetParamGroups, Optimizer, type OptimizerConfig } from './optimizers';
import { lrFactor, type LrSchedule } from './schedules';

/**
 * The one training loop of the project (`med3d train`, `med3d pretrain`, the app's fine-tuning,
 * the transfer experiment): deterministic batches, parameter groups, freezing, LR schedules,
 * periodic validation with early stopping and best-weights keeping, a budget in steps or
 * wall-clock seconds, periodic atomic checkpoints and exact resume, progress events, cancel.
 *
 * Determinism: batches come from `batch(epoch, index, seed)`, a pure function of its arguments
 * with `seed = stepSeed(runSeed, step)`. The random state of a run is therefore (run seed, step),
 * both stored in the checkpoint, so a run resumed from step k sees exactly the batches the
 * uninterrupted run would have seen and ends with identical weights (step budgets; a minutes
 * budget depends on the clock by definition).
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
  /** Planned steps (the step budget, or the estimate of a time budget). */
  totalSteps: number;
  loss: number;
  lr: number;
  /** Samples per second over this run so far. */
  throughput: number;
  /** Steps per second over this run so far. */
  stepsPerSecond: number;
  /** Estimated seconds left. */
  etaSeconds: number;
  /** Seconds trained so far, including earlier runs of a resumed training. */
  elapsedSeconds: number;
  /** Last validation metrics and the best value of the deciding metric so far. */
  validation?: Record<string, number>;
  best?: { step: number; value: number };
}

export interface ValidationOptions {
  /** Validate after every N steps and once at the end of the budget. */
  every: number;
  /** Also validate when this many seconds passed since the last validation (time budgets). */
  everySeconds?: number;
  /** Metrics of the current weights on held-out data (BN in eval mode is the caller's forward). */
  run: (step: number) => Promise<Record<string, number>> | Record<string, number>;
  /** Key of `run`'s result that decides the best weights (higher is better; ties go to the later step), e.g. 'dice'. */
  metric: string;
  /** Stop after this many validations without improvement (default: never). */
  patience?: number;
  /**
   * File the best weights are written to (atomically, a plain model checkpoint without optimizer
   * state) each time the metric improves; also where a resumed run finds them again.
   */
  bestFile?: string;
  /** Extra metadata for the best-weights file (task, preprocessing, labels …), called at save time. */
  bestMeta?: (best: { step: number; value: number; metrics: Record<string, number> }) => Partial<CheckpointMeta>;
}

export interface TrainLoopOptions {
  model: Med3dModel;
  /** Budget in steps: `epochs × stepsPerEpoch` (an epoch is just a naming of step ranges). */
  epochs: number;
  stepsPerEpoch: number;
  /** Also stop after this many seconds of training (summed over resumed runs). */
  maxSeconds?: number;
  /** Deterministic batch source: same arguments, same batch. `seed` is derived from the run seed and step. */
  batch: (epoch: number, index: number, seed: number) => TrainBatch;
  loss: (out: ModelOutput, batch: TrainBatch) => Var;
  optimizer: OptimizerConfig;
  /** LR multiplier of non-encoder parameters (MedicalNet: 100). Default 1. */
  headLrScale?: number;
  /** Parameters that get no gradient (default 'none'). */
  freeze?: FreezeSpec;
  /** @deprecated use `freeze: 'encoder'` (kept for the fixture tests). */
  freezeEncoder?: boolean;
  /** LR schedule over the planned steps (default constant). */
  schedule?: LrSchedule;
  seed?: number;
  /** Save a checkpoint every N steps and/or every N seconds (and at the end / on cancel) to `checkpointFile`. */
  checkpointEvery?: number;
  checkpointSeconds?: number;
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
  /** Periodic validation, early stopping and best-weights keeping (restored into the model at the end). */
  validation?: ValidationOptions;
}

export type StopReason = 'steps' | 'time' | 'early-stop' | 'cancelled';

export interface TrainResult {
  steps: number;
  cancelled: boolean;
  stopReason: StopReason;
  history: HistoryEntry[];
  /** Best validation (when `validation` was given); the model holds these weights on return. */
  best?: { step: number; value: number; metrics: Record<string, number> };
  elapsedSeconds: number;
}

/** Loop state that a checkpoint carries besides weights and optimizer (meta.trainState). */
interface TrainState {
  elapsedSeconds: number;
  best: { step: number; value: number; metrics: Record<string, number> } | null;
  sinceBest: number;
  stopped: StopReason | null;
}

/** Seed of one step's batch: a stable hash of the run seed and global step. */
function stepSeed(seed: number, step: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (step + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Planned length of a run for the schedule: the step budget, or what the time budget allows at the current pace. */
function plannedSteps(total: number, step: number, elapsed: number, maxSeconds?: number): number {
  if (!maxSeconds || step < 1 || elapsed <= 0) return total;
  return Math.max(step + 1, Math.min(total, Math.round((step * maxSeconds) / elapsed)));
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainResult> {
  const { model } = o;
  const total = o.epochs * o.stepsPerEpoch;
  const seed = o.seed ?? 0;
  const schedule = o.schedule ?? { kind: 'constant' };
  applyFreeze(model, o.freeze ?? (o.freezeEncoder ? 'encoder' : 'none'));
  const opt = new Optimizer(o.optimizer, medicalNetParamGroups(model, o.headLrScale ?? 1));
  let step = 0;
  let history: HistoryEntry[] = [];
  let st: TrainState = { elapsedSeconds: 0, best: null, sinceBest: 0, stopped: null };
  let bestWeights: StateDict | null = null;
  if (o.resumeFrom) {
    const ck = typeof o.resumeFrom === 'string' ? await readCheckpoint(o.resumeFrom) : o.resumeFrom;
    model.loadStateDict(ck.stateDict);
    if (ck.optimizer) {
      if (ck.optimizer.kind !== o.optimizer.kind) throw new Error(`cannot resume: checkpoint optimizer is ${ck.optimizer.kind}, this run uses ${o.optimizer.kind}`);
      opt.loadStateDict(ck.optimizer.state, ck.optimizer.step);
      step = ck.optimizer.step;
    }
    history = [...(ck.meta.history ?? [])];
    const saved = ck.meta.trainState as unknown as TrainState | undefined;
    if (saved && typeof saved === 'object') st = { ...st, ...saved, stopped: null };
    if (st.best && o.validation?.bestFile && existsSync(o.validation.bestFile)) bestWeights = (await readCheckpoint(o.validation.bestFile)).stateDict;
  }

  const save = async (): Promise<void> => {
    if (!o.checkpointFile) return;
    await saveCheckpoint(o.checkpointFile, {
      spec: model.spec,
      stateDict: model.stateDict(),
      optimizer: { kind: o.optimizer.kind, step, state: opt.stateDict(), hyper: { ...opt.hyper(), seed, schedule: schedule as unknown as JsonValue } },
      meta: { ...o.meta, createdAt: new Date().toISOString(), history, trainState: st as unknown as JsonValue },
    } as Med3dCheckpoint);
  };

  const v = o.validation;
  let lastMetrics: Record<string, number> | undefined = st.best?.metrics;
  const validate = async (): Promise<void> => {
    if (!v) return;
    const metrics = await v.run(step);
    lastMetrics = metrics;
    const value = metrics[v.metric];
    if (value === undefined) throw new Error(`validation returned no '${v.metric}' (got ${Object.keys(metrics).join(', ')})`);
    history.push({ step, epoch: Math.ceil(step / o.stepsPerEpoch), time: new Date().toISOString(), metrics: { ...metrics } });
    // Ties count as improvement: later weights that validate as well have trained longer.
    if (Number.isFinite(value) && (!st.best || value >= st.best.value)) {
      st.best = { step, value, metrics: { ...metrics } };
      st.sinceBest = 0;
      bestWeights = model.stateDict();
      if (v.bestFile) {
        await saveCheckpoint(v.bestFile, {
          spec: model.spec,
          stateDict: bestWeights,
          meta: { ...o.meta, ...v.bestMeta?.(st.best), createdAt: new Date().toISOString(), history },
        });
      }
    } else st.sinceBest += 1;
  };

  const t0 = performance.now();
  const elapsed0 = st.elapsedSeconds;
  const elapsed = (): number => elapsed0 + (performance.now() - t0) / 1000;
  let lastSave = performance.now();
  let lastValTime = performance.now();
  let lastValSeconds = 0;
  let lastValStep = history.filter((h) => h.loss === undefined && h.metrics).at(-1)?.step ?? 0;
  let samples = 0;
  const startStep = step;
  let stop: StopReason | null = null;
  try {
    while (!stop) {
      if (step >= total) stop = 'steps';
      else if (o.maxSeconds !== undefined && elapsed() >= o.maxSeconds) stop = 'time';
      else if (v?.patience !== undefined && st.sinceBest >= v.patience) stop = 'early-stop';
      else if (o.signal?.aborted) stop = 'cancelled';
      if (stop) break;
      const epoch = Math.floor(step / o.stepsPerEpoch);
      const index = step % o.stepsPerEpoch;
      const b = o.batch(epoch, index, stepSeed(seed, step));
      const planned = plannedSteps(total, step, elapsed(), o.maxSeconds);
      const factor = lrFactor(schedule, step, planned);
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
      // Time-based validation never takes more than a quarter of the time (slow validation sets, loaded machines).
      const valDue = v && (step - lastValStep >= v.every || (v.everySeconds !== undefined && (performance.now() - lastValTime) / 1000 >= Math.max(v.everySeconds, 3 * lastValSeconds)));
      if (v && valDue) {
        const tv = performance.now();
        await validate();
        lastValSeconds = (performance.now() - tv) / 1000;
        lastValStep = step;
        lastValTime = performance.now();
      }
      const secs = (performance.now() - t0) / 1000;
      const perStep = secs / (step - startStep);
      const left = o.maxSeconds !== undefined ? Math.min(perStep * (total - step), Math.max(0, o.maxSeconds - elapsed())) : perStep * (total - step);
      o.onProgress?.({
        epoch: epoch + 1,
        epochs: o.epochs,
        step,
        totalSteps: plannedSteps(total, step, elapsed(), o.maxSeconds),
        loss,
        lr,
        throughput: samples / secs,
        stepsPerSecond: (step - startStep) / secs,
        etaSeconds: left,
        elapsedSeconds: elapsed(),
        ...(lastMetrics ? { validation: { ...lastMetrics } } : {}),
        ...(st.best ? { best: { step: st.best.step, value: st.best.value } } : {}),
      });
      if (o.evaluate && step % o.stepsPerEpoch === 0) {
        const metrics = await o.evaluate(epoch + 1);
        history.push({ epoch: epoch + 1, step, time: new Date().toISOString(), metrics: { ...metrics } });
      }
      st.elapsedSeconds = elapsed();
      const dueSteps = o.checkpointEvery && step % o.checkpointEvery === 0 && step < total;
      const dueTime = o.checkpointSeconds && (performance.now() - lastSave) / 1000 >= o.checkpointSeconds;
      if (dueSteps || dueTime) {
        await save();
        lastSave = performance.now();
      }
      // Let cancel requests and progress consumers run between steps.
      await new Promise((r) => setImmediate(r));
    }
    // The budget ends with a validation of the final weights unless one just ran.
    if (v && stop !== 'cancelled' && step > lastValStep) {
      await validate();
      lastValStep = step;
    }
    st.elapsedSeconds = elapsed();
    st.stopped = stop;
    await save();
  } finally {
    opt.dispose();
  }
  if (v && stop !== 'cancelled' && bestWeights) model.loadStateDict(bestWeights);
  return { steps: step, cancelled: stop === 'cancelled', stopReason: stop ?? 'steps', history, elapsedSeconds: st.elapsedSeconds, ...(st.best ? { best: st.best } : {}) };
}
