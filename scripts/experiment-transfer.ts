/**
 * Transfer experiment (npm run experiment:transfer): does Med3D multi-domain pretraining help a
 * small-data segmentation task, as the paper claims (Chen, Ma & Zheng 2019, Table 3: pretrained
 * ResNets beat training from scratch)? Runs bench/learningTransfer.ts (the product's own
 * `med3d pretrain`, `train` and `evaluate` commands on synthetic organ data) and writes
 * results.md, results.json and the learning curves (SVG, PNG when Chromium is present) to --out.
 *
 * Options: --out DIR (default docs/experiments-transfer), --work DIR (data and models; default a
 * temporary folder), --steps N (transfer steps per arm, 300), --pretrain-steps N (300), --width W
 * (encoder width for every arm; default the commands' default), --patch i,j,k (training patch of
 * pretraining and both arms; default the commands' default), --seed S (1), --no-control,
 * --render-only (re-render the SVGs in --out as PNG with Chromium).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { parseArgs as parseCliArgs, promisify } from 'node:util';
import path from 'node:path';
import { atomicWriteFile, atomicWriteJson } from '../main/util/atomicWrite';
import { runTransferExperiment, type TransferOptions } from '../bench/learningTransfer';

const run = promisify(execFile);

interface Args extends Omit<TransferOptions, 'work'> {
  out: string;
  work?: string;
  renderOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const { values: v } = parseCliArgs({
    args: argv,
    options: { out: { type: 'string' }, work: { type: 'string' }, steps: { type: 'string' }, 'pretrain-steps': { type: 'string' }, width: { type: 'string' }, seed: { type: 'string' }, patch: { type: 'string' }, 'no-control': { type: 'boolean' }, 'render-only': { type: 'boolean' } },
  });
  return {
    out: v.out ?? 'docs/experiments-transfer',
    work: v.work,
    steps: positiveInt('--steps', v.steps ?? '300'),
    pretrainSteps: positiveInt('--pretrain-steps', v['pretrain-steps'] ?? '300'),
    width: v.width === undefined ? undefined : positiveInt('--width', v.width),
    seed: positiveInt('--seed', v.seed ?? '1'),
    patch: v.patch,
    control: !v['no-control'],
    renderOnly: !!v['render-only'],
  };
}

function positiveInt(name: string, text: string): number {
  const x = Number(text);
  if (!Number.isInteger(x) || x < 1) throw new Error(`${name} needs a positive integer, got '${text}'`);
  return x;
}

const COLORS: Record<string, string> = { pretrained: '#d62728', scratch: '#1f77b4', pretrainedLr1e2: '#ff7f0e' };

function svgChart(title: string, series: Array<{ name: string; color: string; points: Array<[number, number]> }>, yLabel: string, yMax?: number): string {
  const W = 800;
  const H = 420;
  const m = { l: 70, r: 250, t: 50, b: 55 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yTop = yMax ?? Math.max(1e-6, ...ys) * 1.05;
  const X = (x: number): number => m.l + (x / xMax) * (W - m.l - m.r);
  const Y = (y: number): number => H - m.b - (y / yTop) * (H - m.t - m.b);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="13">`, `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="28" font-size="16" font-weight="bold" text-anchor="middle">${esc(title)}</text>`];
  for (let t = 0; t <= 5; t++) {
    const y = (yTop * t) / 5;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`, `<text x="${m.l - 8}" y="${Y(y) + 4}" text-anchor="end">${y.toFixed(2)}</text>`);
    const x = (xMax * t) / 5;
    parts.push(`<text x="${X(x)}" y="${H - m.b + 18}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`, `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">training step</text>`, `<text transform="translate(20 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of s.points) parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    parts.push(`<rect x="${W - m.r + 15}" y="${m.t + 10 + i * 24}" width="14" height="14" fill="${s.color}"/>`, `<text x="${W - m.r + 35}" y="${m.t + 22 + i * 24}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** SVG → PNG with headless Chromium (CHROMIUM env or /usr/bin/chromium); false when unavailable. */
async function renderPng(svgFile: string, pngFile: string): Promise<boolean> {
  const exe = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(exe)) return false;
  const svg = await readFile(svgFile, 'utf8');
  const w = /width="(\d+)"/.exec(svg)?.[1] ?? '720';
  const h = /height="(\d+)"/.exec(svg)?.[1] ?? '420';
  try {
    await run(exe, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=${w},${h}`, `--screenshot=${path.resolve(pngFile)}`, `file://${path.resolve(svgFile)}`], { timeout: 120_000 });
    return existsSync(pngFile);
  } catch {
    return false;
  }
}

async function renderAll(out: string): Promise<string[]> {
  const done: string[] = [];
  for (const f of (await readdir(out)).filter((x) => x.endsWith('.svg'))) {
    const png = path.join(out, f.replace(/\.svg$/, '.png'));
    if (await renderPng(path.join(out, f), png)) done.push(png);
  }
  return done;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = path.resolve(args.out);
  await mkdir(out, { recursive: true });
  if (args.renderOnly) {
    const pngs = await renderAll(out);
    process.stdout.write(pngs.length ? `rendered ${pngs.join(', ')}\n` : 'no PNG rendered (no Chromium, or no SVG in the folder)\n');
    return;
  }
  const work = path.resolve(args.work ?? (await mkdtemp(path.join(os.tmpdir(), 'med3d-transfer-'))));
  await mkdir(work, { recursive: true });
  const t0 = performance.now();
  const r = await runTransferExperiment({ work, steps: args.steps, pretrainSteps: args.pretrainSteps, width: args.width, patch: args.patch, seed: args.seed, control: args.control });
  const totalMin = (performance.now() - t0) / 60000;

  const short = (t: string): string => t.replace(/ \(.*\)$/, '');
  await atomicWriteFile(path.join(out, 'learning-curves.svg'), svgChart('Target task (4 labelled cases): validation Dice', r.arms.map((a) => ({ name: short(a.title), color: COLORS[a.key], points: a.curve.map((p) => [p.step, p.value] as [number, number]) })), 'validation Dice', 1));
  const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / Math.max(1, xs.length);
  const smooth = (xs: number[]): Array<[number, number]> => xs.map((_, i) => [i + 1, mean(xs.slice(Math.max(0, i - 9), i + 1))]);
  await atomicWriteFile(
    path.join(out, 'training-loss.svg'),
    svgChart('Training loss (Dice + CE, 10-step mean)', [...r.arms.map((a) => ({ name: short(a.title), color: COLORS[a.key], points: smooth(a.losses) })), { name: 'multi-domain pretraining', color: '#7f7f7f', points: smooth(r.pretrain.losses) }], 'loss'),
  );
  const pngs = await renderAll(out);

  const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  const p = r.arms.find((a) => a.key === 'pretrained')!;
  const s = r.arms.find((a) => a.key === 'scratch')!;
  const winner = r.winner === 'pretrained' ? `the pretrained encoder wins (${fmt(p.testDice)} vs ${fmt(s.testDice)} mean test Dice)` : `training from scratch wins (${fmt(s.testDice)} vs ${fmt(p.testDice)} mean test Dice)`;
  const caseIds = p.perCase.map((c) => c.id);
  const patch = args.patch ? ` --patch ${args.patch}` : '';
  const width = args.width ? ` --width ${args.width}` : '';
  const flags = `--steps ${args.steps} --seed ${args.seed}${patch}`;
  const md = [
    '# Transfer experiment: Med3D-pretrained encoder vs from scratch (4 labelled cases)',
    '',
    `Generated by \`npm run experiment:transfer -- --steps ${args.steps} --pretrain-steps ${args.pretrainSteps} --seed ${args.seed}${width}${patch}${args.control ? '' : ' --no-control'}\` on ${new Date().toISOString()} (${os.cpus().length} CPU cores); total ${totalMin.toFixed(1)} min.`,
    '',
    `**Result: ${winner}.**`,
    '',
    'Every step is a product command (bench/learningTransfer.ts writes the data and reads the outputs):',
    '',
    '```',
    `med3d pretrain --data A-spleen-kidney --data B-pancreas --out encoder.m3d --pth encoder.pth --steps ${args.pretrainSteps} --seed ${args.seed}${width}${patch}`,
    ...r.arms.map((a) => `med3d train --task segment --data T-liver --out ${a.key}/model.m3d ${flags} ${a.trainArgs.join(' ')}`.trimEnd()),
    'med3d evaluate --model <arm>/model.m3d --data T-liver --split test --out <arm>/evaluation --json',
    '```',
    '',
    `Data (synthetic, main/datasets/testing; every case has its own spacing and axis order, about 80x75x50 voxels): pretraining datasets A (spleen + kidney, 8 cases, MSD layout) and B (pancreas, 8 cases, nnU-Net v2 layout); target T, a liver-like organ absent from A and B, with 4 labelled training cases (\`train\` holds 1 out for validation) and ${caseIds.length} labelled test cases. Pretraining: ${r.pretrain.steps} steps in ${r.pretrain.minutes.toFixed(1)} min, best mean branch Dice ${r.pretrain.bestDice === null ? 'n/a' : fmt(r.pretrain.bestDice)} on the held-out pretraining cases.`,
    '',
    `| test case | ${r.arms.map((a) => a.title).join(' | ')} |`,
    `|---|${r.arms.map(() => '---').join('|')}|`,
    ...caseIds.map((id) => `| ${id} | ${r.arms.map((a) => fmt(a.perCase.find((c) => c.id === id)?.dice ?? NaN)).join(' | ')} |`),
    `| **mean test Dice** | ${r.arms.map((a) => `**${fmt(a.testDice)}**`).join(' | ')} |`,
    `| best validation Dice (step) | ${r.arms.map((a) => (a.best ? `${fmt(a.best.value)} (${a.best.step})` : 'n/a')).join(' | ')} |`,
    `| wall time of \`train\` | ${r.arms.map((a) => `${a.minutes.toFixed(1)} min`).join(' | ')} |`,
    '',
    `Curves: ${pngs.length ? pngs.map((f) => path.basename(f)).join(', ') : 'learning-curves.svg, training-loss.svg (Chromium not found: run again with --render-only where it is)'}.`,
    '',
  ].join('\n');
  await atomicWriteFile(path.join(out, 'results.md'), md);
  await atomicWriteJson(path.join(out, 'results.json'), { createdAt: new Date().toISOString(), args, cpus: os.cpus().length, minutes: totalMin, ...r });
  process.stdout.write(`\n${md}\nwrote ${out} (data and models in ${work})\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`experiment-transfer: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
