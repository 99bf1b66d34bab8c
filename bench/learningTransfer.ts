import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeSyntheticSegmentationDataset } from '../main/datasets/testing/writeSyntheticSegmentationDataset';
import type { SyntheticOrgan } from '../main/datasets/testing/syntheticOrganCase';
import { med3d, metricCurve } from './learningRun';

/**
 * The transfer experiment (paper, Table 3: pretrained encoders beat training from scratch on
 * small data), run with the product's commands on synthetic organ data (main/datasets/testing,
 * every case with its own spacing and axis order):
 *
 *   med3d pretrain --data A --data B --out encoder.m3d --pth encoder.pth --steps P
 *   med3d train --task segment --data T --weights encoder.m3d --steps N   (default lr 1e-3)
 *   med3d train --task segment --data T --steps N                         (default lr 1e-2)
 *   med3d train --task segment --data T --weights encoder.m3d --lr 1e-2   (control arm)
 *   med3d evaluate --model <arm> --data T --split test
 *
 * A (spleen + kidney) and B (pancreas, nnU-Net v2 layout) have 8 cases each; the target T is a
 * 2-class liver-like organ that appears in neither, with 4 labelled training cases and 6
 * labelled test cases. Used by `npm run experiment:transfer` and `npm run bench:learning`.
 */
export interface TransferOptions {
  /** Folder for the data, models and evaluations (datasets are reused when present). */
  work: string;
  /** Transfer steps per arm (the check: 300). */
  steps: number;
  pretrainSteps: number;
  /** Encoder width for every arm (default: the commands' default). */
  width?: number;
  /** Training patch (i,j,k) for pretraining and both arms, e.g. '32,32,16' (default: the commands' default). */
  patch?: string;
  seed: number;
  /** Also run the pretrained encoder at lr 1e-2 (what the paper warns against). */
  control: boolean;
}

export interface TransferArm {
  key: 'pretrained' | 'scratch' | 'pretrainedLr1e2';
  title: string;
  /** `med3d train` arguments beyond the common ones (encoder path written as encoder.m3d). */
  trainArgs: string[];
  lr: number;
  testDice: number;
  perCase: Array<{ id: string; dice: number }>;
  best: { step: number; value: number } | null;
  /** Validation Dice against minutes and steps of training. */
  curve: Array<{ minutes: number; step: number; value: number }>;
  losses: number[];
  minutes: number;
}

export interface TransferResult {
  pretrain: { steps: number; minutes: number; bestDice: number | null; losses: number[] };
  arms: TransferArm[];
  winner: 'pretrained' | 'scratch';
}

const ORGANS_A: SyntheticOrgan[] = [
  { value: 1, name: 'spleen', intensity: 60, offsetMm: [22, -6, 6], radiiMm: [16, 13, 20] },
  { value: 2, name: 'kidney', intensity: 150, offsetMm: [-20, -14, -12], radiiMm: [11, 10, 15] },
];
const ORGANS_B: SyntheticOrgan[] = [{ value: 1, name: 'pancreas', intensity: 110, offsetMm: [4, 12, -4], radiiMm: [24, 9, 11] }];
const ORGANS_T: SyntheticOrgan[] = [{ value: 1, name: 'liver', intensity: 75, offsetMm: [-14, 4, 2], radiiMm: [26, 20, 24] }];

async function transferDatasets(work: string, seed: number): Promise<{ a: string; b: string; t: string }> {
  const s = seed * 100;
  const a = path.join(work, 'data', 'A-spleen-kidney');
  const b = path.join(work, 'data', 'B-pancreas');
  const t = path.join(work, 'data', 'T-liver');
  if (!existsSync(path.join(a, 'dataset.json'))) await writeSyntheticSegmentationDataset(a, { layout: 'msd', organs: ORGANS_A, trainCases: 8, testCases: 0, seed: s + 1, name: 'A-spleen-kidney' });
  if (!existsSync(path.join(b, 'dataset.json'))) await writeSyntheticSegmentationDataset(b, { layout: 'nnunet-v2', organs: ORGANS_B, trainCases: 8, testCases: 0, seed: s + 2, name: 'B-pancreas' });
  if (!existsSync(path.join(t, 'dataset.json'))) await writeSyntheticSegmentationDataset(t, { layout: 'msd', organs: ORGANS_T, trainCases: 4, testCases: 6, seed: s + 3, name: 'T-liver' });
  return { a, b, t };
}

const lossesOf = (events: Array<Record<string, unknown>>): number[] => events.filter((e) => e.event === 'step').map((e) => e.loss as number);

export async function runTransferExperiment(o: TransferOptions): Promise<TransferResult> {
  const data = await transferDatasets(o.work, o.seed);
  const width = o.width ? ['--width', String(o.width)] : [];
  const seed = ['--seed', String(o.seed), ...(o.patch ? ['--patch', o.patch] : [])];
  const encoder = path.join(o.work, 'pretrain', 'encoder.m3d');
  const pre = await med3d(['pretrain', '--data', data.a, '--data', data.b, '--out', encoder, '--pth', path.join(o.work, 'pretrain', 'encoder.pth'), '--steps', String(o.pretrainSteps), ...width, ...seed, '--json']);
  const preDone = pre.events.find((e) => e.event === 'done') as { best: Record<string, number> | null; steps: number } | undefined;

  const plan: Array<Pick<TransferArm, 'key' | 'title' | 'trainArgs'>> = [
    { key: 'pretrained', title: 'pretrained encoder, Adam 1e-3 (default)', trainArgs: ['--weights', encoder] },
    { key: 'scratch', title: 'from scratch, Adam 1e-2 (default)', trainArgs: [...width] },
    ...(o.control ? [{ key: 'pretrainedLr1e2' as const, title: 'pretrained encoder, Adam 1e-2 (control)', trainArgs: ['--weights', encoder, '--lr', '1e-2'] }] : []),
  ];
  const arms: TransferArm[] = [];
  for (const p of plan) {
    const model = path.join(o.work, p.key, 'model.m3d');
    const run = await med3d(['train', '--task', 'segment', '--data', data.t, '--out', model, '--steps', String(o.steps), ...seed, ...p.trainArgs, '--json']);
    const metrics = JSON.parse(await readFile(path.join(o.work, p.key, 'metrics.json'), 'utf8')) as { best: { step: number; value: number } | null; config: { lr: number } };
    const ev = JSON.parse((await med3d(['evaluate', '--model', model, '--data', data.t, '--split', 'test', '--out', path.join(o.work, p.key, 'evaluation'), '--json'])).stdout) as {
      summary: { meanDice: { mean: number } };
      cases: Array<{ id: string; meanDice: number }>;
    };
    arms.push({
      ...p,
      trainArgs: p.trainArgs.map((x) => (x === encoder ? 'encoder.m3d' : x)),
      lr: metrics.config.lr,
      testDice: ev.summary.meanDice.mean,
      perCase: ev.cases.map((c) => ({ id: c.id, dice: c.meanDice })),
      best: metrics.best ? { step: metrics.best.step, value: metrics.best.value } : null,
      curve: metricCurve(run, 'dice'),
      losses: lossesOf(run.events),
      minutes: run.minutes,
    });
  }
  const p = arms.find((a) => a.key === 'pretrained')!;
  const s = arms.find((a) => a.key === 'scratch')!;
  return {
    pretrain: { steps: preDone?.steps ?? o.pretrainSteps, minutes: pre.minutes, bestDice: preDone?.best?.dice ?? null, losses: lossesOf(pre.events) },
    arms,
    winner: p.testDice >= s.testDice ? 'pretrained' : 'scratch',
  };
}
