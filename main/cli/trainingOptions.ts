import type { Command } from 'commander';
import type { ResNetDepth, ShortcutType } from '../engine/models/ModelSpec';
import type { StopReason } from '../engine/train/trainLoop';
import type { TrainEvent } from '../tasks/train/trainTask';
import type { TrainingRunOptions } from '../tasks/train/trainingRunLoop';
import type { LrSchedule } from '../engine/train/schedules';
import type { Vec3 } from '../volume/Volume';
import { CliError } from './CliError';

/**
 * The options, parsing, progress display and Ctrl-C handling that every training command shares
 * (`med3d train`, `med3d pretrain`): same budget, model, recipe, checkpoint/resume and `--json`
 * flags with the same meaning and the same error texts.
 *
 *   addTrainingOptions(program.command('pretrain')…).action(async (o) => {
 *     const common = parseTrainingOptions(o);
 *     await runInterruptible('med3d pretrain', (signal) => pretrainEncoder({ …, ...common, signal }, trainingReporter('med3d pretrain', !!o.json)));
 *   });
 */
export function num(name: string, v: string, check: (x: number) => boolean = (x) => x > 0): number {
  const x = Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new CliError(`${name}: invalid value '${v}'`, 2);
  return x;
}

export function triple(name: string, v: string): Vec3 {
  const p = v.split(/[,x ]+/).filter(Boolean).map((s) => num(name, s));
  if (p.length !== 3) throw new CliError(`${name}: expected three numbers like 1.5,1.5,3, got '${v}'`, 2);
  return p as Vec3;
}

function parseSchedule(v: string): LrSchedule {
  if (v === 'constant') return { kind: 'constant' };
  if (v === 'cosine') return { kind: 'cosine', minFactor: 0.05, warmupSteps: 20 };
  if (v === 'poly') return { kind: 'poly', power: 0.9 };
  throw new CliError(`--schedule: expected constant|cosine|poly, got '${v}'`, 2);
}

/** Raw values of the shared options as commander hands them over. */
export interface TrainingCliOptions {
  valFraction: string;
  depth?: string;
  width?: string;
  shortcut?: string;
  lr?: string;
  schedule?: string;
  steps?: string;
  minutes?: string;
  patch?: string;
  batchSize?: string;
  augment: boolean;
  patience?: string;
  checkpointEvery?: string;
  resume?: boolean;
  seed: string;
  skipBad?: boolean;
  json?: boolean;
}

/** Declares the shared options on a training command (`lrHelp` says the command's default rate). */
export function addTrainingOptions(cmd: Command, lrHelp: string): Command {
  return cmd
    .option('--val-fraction <f>', 'held-out fraction of each dataset for validation', '0.2')
    .option('--depth <n>', 'ResNet depth from scratch: 10|18|34|50|101|152|200 (default 10)')
    .option('--width <n>', 'base width from scratch (default 16; MedicalNet: 64)')
    .option('--shortcut <A|B>', 'ResNet shortcut from scratch (default B)')
    .option('--lr <lr>', `Adam learning rate (${lrHelp})`)
    .option('--schedule <s>', 'learning-rate schedule: cosine (default, 20-step warm-up)|poly|constant')
    .option('--steps <n>', 'budget in optimizer steps')
    .option('--minutes <m>', 'budget in minutes of training (with --steps: whichever comes first)')
    .option('--patch <i,j,k>', 'training patch in voxels, multiples of 8')
    .option('--batch-size <n>', 'patches per step')
    .option('--no-augment', 'turn augmentation off (flips, rotations, scaling, intensity jitter)')
    .option('--patience <n>', 'validations without improvement before stopping early (train: default 6; pretrain: off, it keeps its last weights unless given)')
    .option('--checkpoint-every <seconds>', 'seconds between resume checkpoints', '60')
    .option('--resume', 'continue from <out stem>.checkpoint.m3d (after Ctrl-C or a crash)')
    .option('--seed <n>', 'random seed (initialisation, batches, augmentation)', '0')
    .option('--skip-bad', 'go on without cases that fail the checks (listed on stderr)')
    .option('--json', 'machine-readable events on stdout, one JSON object per line');
}

/** The shared options, parsed and checked. */
export function parseTrainingOptions(o: TrainingCliOptions): TrainingRunOptions {
  if (o.shortcut && o.shortcut !== 'A' && o.shortcut !== 'B') throw new CliError(`--shortcut: expected A|B, got '${o.shortcut}'`, 2);
  const patch = o.patch ? triple('--patch', o.patch) : undefined;
  if (patch && !patch.every((x) => Number.isInteger(x) && x % 8 === 0)) throw new CliError(`--patch: sizes must be multiples of 8, got ${patch.join(',')}`, 2);
  return {
    valFraction: num('--val-fraction', o.valFraction, (x) => x > 0 && x < 1),
    depth: o.depth === undefined ? undefined : (num('--depth', o.depth, (x) => [10, 18, 34, 50, 101, 152, 200].includes(x)) as ResNetDepth),
    width: o.width === undefined ? undefined : num('--width', o.width, (x) => Number.isInteger(x) && x >= 1 && x <= 128),
    shortcut: o.shortcut as ShortcutType | undefined,
    lr: o.lr === undefined ? undefined : num('--lr', o.lr),
    schedule: o.schedule ? parseSchedule(o.schedule) : undefined,
    steps: o.steps === undefined ? undefined : num('--steps', o.steps, (x) => Number.isInteger(x) && x > 0),
    minutes: o.minutes === undefined ? undefined : num('--minutes', o.minutes),
    patch,
    batchSize: o.batchSize === undefined ? undefined : num('--batch-size', o.batchSize, (x) => Number.isInteger(x) && x > 0),
    augment: o.augment,
    patience: o.patience === undefined ? undefined : num('--patience', o.patience, (x) => Number.isInteger(x) && x > 0),
    checkpointSeconds: o.checkpointEvery === undefined ? undefined : num('--checkpoint-every', o.checkpointEvery),
    resume: !!o.resume,
    seed: num('--seed', o.seed, (x) => Number.isInteger(x) && x >= 0),
    skipBad: !!o.skipBad,
  };
}

const fmtTime = (s: number): string => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`);

/** Renders events: JSON lines on stdout with --json; a bar (TTY) or plain lines on stderr. */
export function trainingReporter(name: string, json: boolean): (e: TrainEvent) => void {
  const tty = process.stderr.isTTY === true;
  let lastPlain = 0;
  let lastVal = '';
  return (e) => {
    if (json) process.stdout.write(`${JSON.stringify(e)}\n`);
    if (e.event === 'log') process.stderr.write(`${tty ? '\r\x1b[K' : ''}${name}: ${e.message}\n`);
    else if (e.event === 'start') process.stderr.write(`${name}: ${e.task}, ${e.model}, ${e.trainCases} training / ${e.valCases} validation, budget ${e.steps !== null ? `${e.steps} steps` : ''}${e.steps !== null && e.minutes !== null ? ' or ' : ''}${e.minutes !== null ? `${e.minutes} min` : ''}\n`);
    else if (e.event === 'validation') {
      lastVal = Object.entries(e.metrics).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ');
      if (!tty) process.stderr.write(`step ${e.step}: validation ${lastVal}\n`);
    } else if (e.event === 'step') {
      const best = e.best ? ` best ${e.best.value.toFixed(3)}@${e.best.step}` : '';
      const text = `step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)}${lastVal ? ` val ${lastVal}` : ''}${best} ${e.stepsPerSecond.toFixed(2)} steps/s ETA ${fmtTime(e.etaSeconds)}`;
      if (tty) {
        const width = 24;
        const done = Math.min(width, Math.round((e.step / Math.max(1, e.totalSteps)) * width));
        process.stderr.write(`\r\x1b[K[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${text}`);
      } else if (Date.now() - lastPlain > 10_000 || e.step === 1) {
        lastPlain = Date.now();
        process.stderr.write(`${text}\n`);
      }
    } else if (e.event === 'done') {
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}${name}: ${e.stopReason === 'early-stop' ? 'stopped early' : `budget reached (${e.stopReason})`} after ${e.steps} steps in ${fmtTime(e.elapsedSeconds)}; best ${e.best ? Object.entries(e.best).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ') : '—'} at step ${e.bestStep ?? '—'}\n`);
      process.stderr.write(`${name}: wrote ${e.out}, ${e.metricsFile}, ${e.curves.join(', ')}\n`);
    }
  };
}

/**
 * Runs a training with Ctrl-C wired to its abort signal: the first Ctrl-C saves a checkpoint and
 * stops (exit code 130), a second one quits at once.
 */
export async function runInterruptible<T extends { stopReason: StopReason }>(name: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSigint = (): void => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name}: interrupted, saving a checkpoint (Ctrl-C again to quit now)\n`);
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await run(ac.signal);
    if (r.stopReason === 'cancelled') process.exitCode = 130;
    return r;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
