import { existsSync } from 'node:fs';
import type { Vec3 } from '../../volume/Volume';
import type { BackboneSpec, ResNetDepth, ShortcutType } from '../../engine/models/ModelSpec';
import type { TrainLoopOptions } from '../../engine/train/trainLoop';
import type { LrSchedule } from '../../engine/train/schedules';

/**
 * The options every training command shares (`med3d train`, `med3d pretrain`: main/cli/trainingOptions.ts
 * parses them once) and what they mean to the training loop, so that a budget, a resume or a seed
 * works the same in both.
 */
export interface TrainingRunOptions {
  /** Held-out fraction of each dataset for validation (default 0.2). */
  valFraction?: number;
  /** Backbone from scratch; default: the task's. */
  depth?: ResNetDepth;
  width?: number;
  shortcut?: ShortcutType;
  /** Adam learning rate; default: the command's (1e-3 from weights, 1e-2 from scratch). */
  lr?: number;
  /** Default: cosine with a 20-step warm-up. */
  schedule?: LrSchedule;
  steps?: number;
  minutes?: number;
  patch?: Vec3;
  batchSize?: number;
  augment?: boolean;
  patience?: number;
  /** Seconds between resume checkpoints (default 60). */
  checkpointSeconds?: number;
  resume?: boolean;
  seed?: number;
  skipBad?: boolean;
  signal?: AbortSignal;
}

/** `base` with the --depth / --width / --shortcut a user gave. */
export function backboneFrom(base: BackboneSpec, o: TrainingRunOptions): BackboneSpec {
  return { ...base, ...(o.depth ? { depth: o.depth } : {}), ...(o.width ? { baseWidth: o.width } : {}), ...(o.shortcut ? { shortcut: o.shortcut } : {}) };
}

type RunLoopPart = Required<Pick<TrainLoopOptions, 'epochs' | 'stepsPerEpoch' | 'optimizer' | 'schedule' | 'seed' | 'checkpointFile' | 'checkpointSeconds'>> & Pick<TrainLoopOptions, 'maxSeconds' | 'resumeFrom' | 'signal'>;

/**
 * The training loop's budget, optimizer, seed, checkpoint and resume options from the shared
 * options (`minutes`: the budget the command settled on, which may default). Says on `log` whether
 * a resume finds its checkpoint.
 */
export function trainingRunLoop(o: TrainingRunOptions, run: { lr: number; minutes: number | undefined; checkpointFile: string; log: (m: string) => void }): RunLoopPart {
  const resumeFrom = o.resume && existsSync(run.checkpointFile) ? run.checkpointFile : undefined;
  if (o.resume) run.log(resumeFrom ? `resuming from ${run.checkpointFile}` : `no checkpoint ${run.checkpointFile} yet: starting from the beginning`);
  return {
    epochs: 1,
    stepsPerEpoch: o.steps ?? 1e9,
    maxSeconds: run.minutes !== undefined ? run.minutes * 60 : undefined,
    optimizer: { kind: 'adam', lr: run.lr },
    schedule: o.schedule ?? { kind: 'cosine', minFactor: 0.05, warmupSteps: 20 },
    seed: o.seed ?? 0,
    checkpointFile: run.checkpointFile,
    checkpointSeconds: o.checkpointSeconds ?? 60,
    resumeFrom,
    signal: o.signal,
  };
}
