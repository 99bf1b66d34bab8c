/**
 * npm run bench:loop — issue 12's closing figures: Dice of the active lung model on held-out cases
 * before any correction (cold start) and after K corrected cases, and the wall time of each step,
 * on this machine, through `med3d call` only (bench/clinicianLoopRun.ts).
 *
 * Prints a table and writes test-results/clinician-loop.json. Options: --pool 8 (labelled cases
 * imported), --held-out 3, --ks 2,4,8 (increasing; K = 0 is always scored), --minutes 1.5 (budget
 * of each fine-tune), --dims 96,96,64 (phantom grid), --seed 200, --noise-hu N (scan noise, default the phantom's 12 HU), --work DIR (default a temporary
 * folder), --quick (pool 2, held-out 1, K = 2, 0.3 minutes, 64×64×40: checks the loop runs, not the quality).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { atomicWriteJson } from '../main/util/atomicWrite';
import { runClinicianLoop, type LoopOptions, type LoopReport } from './clinicianLoopRun';

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (!(x > 0)) throw new Error(`--${name} needs a positive number, got '${text}'`);
  return x;
}

function list(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const xs = text.split(',').map((s) => positive(name, s.trim(), NaN));
  if (xs.some((x) => !Number.isInteger(x))) throw new Error(`--${name} needs whole numbers, got '${text}'`);
  return xs;
}

async function options(argv: string[]): Promise<LoopOptions> {
  const { values: v } = parseArgs({
    args: argv,
    options: { pool: { type: 'string' }, 'held-out': { type: 'string' }, ks: { type: 'string' }, minutes: { type: 'string' }, dims: { type: 'string' }, seed: { type: 'string' }, 'noise-hu': { type: 'string' }, work: { type: 'string' }, quick: { type: 'boolean' } },
  });
  const q = !!v.quick;
  const dims = list('dims', v.dims, q ? [64, 64, 40] : [96, 96, 64]);
  if (dims.length !== 3) throw new Error(`--dims needs three sizes i,j,k, got '${v.dims}'`);
  const o: LoopOptions = {
    pool: positive('pool', v.pool, q ? 2 : 8),
    heldOut: positive('held-out', v['held-out'], q ? 1 : 3),
    ks: list('ks', v.ks, q ? [2] : [2, 4, 8]),
    minutes: positive('minutes', v.minutes, q ? 0.3 : 1.5),
    dims: dims as [number, number, number],
    seed: positive('seed', v.seed, 200),
    ...(v['noise-hu'] !== undefined ? { noiseHu: positive('noise-hu', v['noise-hu'], NaN) } : {}),
    work: v.work ?? (await mkdtemp(path.join(os.tmpdir(), 'med3d-clinician-loop-'))),
  };
  if (o.ks.some((k, n) => k > o.pool || (n > 0 && k <= o.ks[n - 1]))) throw new Error(`--ks must increase and stay within --pool ${o.pool}, got ${o.ks.join(',')}`);
  return o;
}

function table(r: LoopReport): string {
  const rows = [['K corrected', 'fine-tune s', 'steps', 'new version', 'its val Dice vs active', 'promoted', 'its held-out Dice', 'active', 'held-out Dice', 'scoring s']];
  const fixed = (x: number | undefined): string => (x === undefined ? '?' : x.toFixed(4));
  for (const s of r.steps) {
    const ft = s.fineTune;
    rows.push([
      String(s.k),
      ft ? ft.seconds.toFixed(1) : '-',
      String(ft?.version?.metrics.steps ?? '-'),
      ft ? (ft.version?.versionId ?? '(none)') : '-',
      ft?.version ? `${fixed(ft.version.metrics.valDice)} vs ${fixed(ft.version.metrics.baselineDice)}` : '-',
      ft ? (ft.promoted ? 'yes' : 'no') : '-',
      ft ? fixed((ft.candidate ?? s.evaluation).meanDice) : '-',
      s.active,
      s.evaluation.meanDice.toFixed(4),
      s.evaluation.seconds.toFixed(1),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

const o = await options(process.argv.slice(2));
process.stderr.write(`clinician loop in ${o.work}: ${o.pool} imported, ${o.heldOut} held out, K = 0,${o.ks.join(',')}, ${o.minutes} min per fine-tune, ${o.dims.join('x')} phantoms\n`);
const report = await runClinicianLoop(o);
const file = path.resolve('test-results/clinician-loop.json');
const backend = report.steps.find((s) => s.fineTune?.version?.backend)?.fineTune?.version?.backend ?? 'no fine-tune';
await atomicWriteJson(file, report);
process.stdout.write(
  `\nClinician loop (${report.machine.cpus} CPUs, load ${report.machine.loadAverage1mStart} → ${report.machine.loadAverage1mEnd}, fine-tuned on ${backend}); import ${report.importDataset.cases} cases ${report.importDataset.seconds.toFixed(1)} s, add held-out ${report.addHeldOut.seconds.toFixed(1)} s\n${table(report)}\nwrote ${file}\n`,
);
