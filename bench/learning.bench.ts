/**
 * npm run bench:learning — how good do models get against minutes of training, on 2 cores, with
 * the product's own commands (bench/learningRun.ts runs them as child processes):
 *
 *   organ     `med3d train --task segment --minutes M` from scratch on a synthetic MSD dataset
 *             (16 training cases, each with its own spacing and axis order, ~80x75x50 voxels),
 *             then `med3d evaluate` on 8 held-out labelled cases: validation Dice against minutes
 *             and the final test Dice.
 *   nodule    `med3d train --task nodule --minutes M` on a synthetic LUNA16-style CSV (16 volumes,
 *             80 nodules, world LPS), then `med3d evaluate` on a separate CSV (4 volumes):
 *             validation score against minutes, test accuracy and AUC.
 *   transfer  the transfer experiment (bench/learningTransfer.ts): `med3d pretrain` on two
 *             datasets, then a 4-case 2-class task trained --steps from that encoder and from
 *             scratch: test Dice of each arm and which wins.
 *
 * Prints a table and writes test-results/learning-bench.json. Options: --only organ,nodule,transfer,
 * --organ-minutes 8, --nodule-minutes 6, --transfer-steps 300, --pretrain-steps 300, --quick
 * (1-minute budgets and 20 steps: checks the bench runs, not the quality), --work DIR (default a
 * temporary folder; datasets are reused when present).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs as parseCliArgs } from 'node:util';
import { atomicWriteJson } from '../main/util/atomicWrite';
import { writeSyntheticSegmentationDataset } from '../main/datasets/testing/writeSyntheticSegmentationDataset';
import { writeSyntheticNoduleDataset } from '../main/datasets/testing/writeSyntheticNoduleDataset';
import { med3d, metricCurve } from './learningRun';
import { runTransferExperiment, type TransferResult } from './learningTransfer';

interface Args {
  only: Set<string>;
  organMinutes: number;
  noduleMinutes: number;
  transferSteps: number;
  pretrainSteps: number;
  work?: string;
}

function parseArgs(argv: string[]): Args {
  const { values: v } = parseCliArgs({
    args: argv,
    options: { only: { type: 'string' }, 'organ-minutes': { type: 'string' }, 'nodule-minutes': { type: 'string' }, 'transfer-steps': { type: 'string' }, 'pretrain-steps': { type: 'string' }, work: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const n = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const x = Number(text);
    if (!(x > 0)) throw new Error(`--${name} needs a positive number, got '${text}'`);
    return x;
  };
  const q = !!v.quick;
  const a: Args = {
    only: new Set((v.only ?? 'organ,nodule,transfer').split(',')),
    organMinutes: n('organ-minutes', v['organ-minutes'], q ? 1 : 8),
    noduleMinutes: n('nodule-minutes', v['nodule-minutes'], q ? 1 : 6),
    transferSteps: n('transfer-steps', v['transfer-steps'], q ? 20 : 300),
    pretrainSteps: n('pretrain-steps', v['pretrain-steps'], q ? 20 : 300),
    work: v.work,
  };
  for (const s of a.only) if (!['organ', 'nodule', 'transfer'].includes(s)) throw new Error(`--only: unknown part '${s}' (organ, nodule, transfer)`);
  return a;
}

type Curve = Array<{ minutes: number; step: number; value: number }>;

async function organ(work: string, minutes: number): Promise<{ minutes: number; steps: number; curve: Curve; testDice: number; perLabel: Record<string, number> }> {
  const data = path.join(work, 'organ');
  if (!existsSync(path.join(data, 'dataset.json'))) await writeSyntheticSegmentationDataset(data, { layout: 'msd', trainCases: 16, testCases: 8, seed: 41, name: 'BenchOrgans' });
  const model = path.join(work, 'organ-model', 'model.m3d');
  const run = await med3d(['train', '--task', 'segment', '--data', data, '--out', model, '--minutes', String(minutes), '--json']);
  const done = run.events.find((e) => e.event === 'done') as { steps: number } | undefined;
  const ev = JSON.parse((await med3d(['evaluate', '--model', model, '--data', data, '--split', 'test', '--out', path.join(work, 'organ-eval'), '--json'])).stdout) as {
    summary: { meanDice: { mean: number }; perLabel: Array<{ name: string; dice: { mean: number } }> };
  };
  return { minutes: run.minutes, steps: done?.steps ?? 0, curve: metricCurve(run, 'dice'), testDice: ev.summary.meanDice.mean, perLabel: Object.fromEntries(ev.summary.perLabel.map((l) => [l.name, l.dice.mean])) };
}

async function nodule(work: string, minutes: number): Promise<{ minutes: number; steps: number; curve: Curve; accuracy: number; auc: number }> {
  const train = path.join(work, 'nodules-train');
  const test = path.join(work, 'nodules-test');
  if (!existsSync(path.join(train, 'nodules.csv'))) await writeSyntheticNoduleDataset(train, { size: 'bench', volumes: 16, nodulesPerVolume: 5, seed: 51 });
  if (!existsSync(path.join(test, 'nodules.csv'))) await writeSyntheticNoduleDataset(test, { size: 'bench', volumes: 4, nodulesPerVolume: 5, seed: 52 });
  const model = path.join(work, 'nodule-model', 'model.m3d');
  const run = await med3d(['train', '--task', 'nodule', '--data', path.join(train, 'nodules.csv'), '--out', model, '--minutes', String(minutes), '--json']);
  const done = run.events.find((e) => e.event === 'done') as { steps: number } | undefined;
  const ev = JSON.parse((await med3d(['evaluate', '--model', model, '--data', path.join(test, 'nodules.csv'), '--out', path.join(work, 'nodule-eval'), '--json'])).stdout) as { accuracy: number; auc: number };
  const firstVal = run.events.find((e) => e.event === 'validation')?.metrics as Record<string, number> | undefined;
  const metric = firstVal && 'auc' in firstVal ? 'auc' : 'score';
  return { minutes: run.minutes, steps: done?.steps ?? 0, curve: metricCurve(run, metric), accuracy: ev.accuracy, auc: ev.auc };
}

const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const curveText = (c: Curve): string => c.map((p) => `${f(p.minutes, 1)}m:${f(p.value)}`).join(' ');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = path.resolve(args.work ?? (await mkdtemp(path.join(os.tmpdir(), 'med3d-learning-'))));
  await mkdir(work, { recursive: true });
  const report: Record<string, unknown> = { createdAt: new Date().toISOString(), cpus: os.cpus().length, args: { ...args, only: [...args.only] } };
  const rows: string[][] = [];
  if (args.only.has('organ')) {
    const r = await organ(work, args.organMinutes);
    report.organ = r;
    rows.push(['organ segmentation from scratch', `${f(r.minutes, 1)} min, ${r.steps} steps`, `test Dice ${f(r.testDice)} (${Object.entries(r.perLabel).map(([k, v]) => `${k} ${f(v)}`).join(', ')})`, curveText(r.curve)]);
  }
  if (args.only.has('nodule')) {
    const r = await nodule(work, args.noduleMinutes);
    report.nodule = r;
    rows.push(['nodule malignancy', `${f(r.minutes, 1)} min, ${r.steps} steps`, `test accuracy ${f(r.accuracy)}, AUC ${f(r.auc)}`, curveText(r.curve)]);
  }
  if (args.only.has('transfer')) {
    const r: TransferResult = await runTransferExperiment({ work: path.join(work, 'transfer'), steps: args.transferSteps, pretrainSteps: args.pretrainSteps, seed: 1, control: false });
    report.transfer = r;
    rows.push([`multi-domain pretraining (${r.pretrain.steps} steps)`, `${f(r.pretrain.minutes, 1)} min`, `best mean branch Dice ${r.pretrain.bestDice === null ? 'n/a' : f(r.pretrain.bestDice)}`, '']);
    for (const a of r.arms) rows.push([`transfer, 4 cases: ${a.title}`, `${f(a.minutes, 1)} min, ${args.transferSteps} steps`, `test Dice ${f(a.testDice)}`, a.curve.map((p) => `${p.step}:${f(p.value)}`).join(' ')]);
    rows.push(['transfer winner', '', r.winner, '']);
  }
  const header = ['run', 'training', 'result', 'validation metric against minutes (or steps)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
  const file = path.resolve('test-results', 'learning-bench.json');
  await mkdir(path.dirname(file), { recursive: true });
  await atomicWriteJson(file, report);
  process.stdout.write(`\nwrote ${file} (data and models in ${work})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:learning: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
