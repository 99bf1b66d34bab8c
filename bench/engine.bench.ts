/**
 * `npm run bench`: our engine vs PyTorch on MedicalNet ResNet-10/34/50 (width 64) on
 * 1x1x56x112x112 — warm inference, warm training step (forward + backward + Adam), first
 * step, peak RSS — interleaved runs in fresh processes, medians, ratios; plus the per-op time
 * breakdown of our training step.
 *
 * Options: --depths 10,34,50  --size 56,112,112  --repeats 2  --steps 3  --infer 3  --threads N  --device auto|cpu|gpu|webgpu|native|tfjs
 * PyTorch comes from Debian's python3-torch (/usr/bin/python3 or MED3D_TORCH_PYTHON); when it
 * is missing the table shows our absolute figures only.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const depths = arg('depths', '10,34,50').split(',').map(Number);
const size = arg('size', '56,112,112');
const repeats = Number(arg('repeats', '2'));
const steps = arg('steps', '3');
const infer = arg('infer', '3');
const threads = Number(arg('threads', String(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
const device = arg('device', 'auto');
const python = process.env.MED3D_TORCH_PYTHON ?? '/usr/bin/python3';

interface RunResult {
  engine: string;
  firstStepMs: number;
  stepMs: number[];
  inferMs: number[];
  peakRssMiB: number;
  backend?: string;
  kernels?: string;
  version?: string;
  ops?: Record<string, number>;
  error?: string;
}

function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.status !== 0 || !line) {
    const why = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ') || `exit ${r.status ?? r.signal}`;
    return { engine: cmd, firstStepMs: NaN, stepMs: [], inferMs: [], peakRssMiB: NaN, error: why };
  }
  return JSON.parse(line) as RunResult;
}

function torchAvailable(): string | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const median = (a: number[]): number => {
  const s = a.filter(Number.isFinite).sort((x, y) => x - y);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (ms: number): string => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`) : 'n/a');
const fmtRatio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

const torchVersion = torchAvailable();
console.log(`Med3D engine benchmark — MedicalNet ResNet-${depths.join('/')} width 64, input 1x1x${size.replace(/,/g, 'x')}, ${threads} threads`);
console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(torchVersion ? `Reference: PyTorch ${torchVersion} (${python}), same threads, interleaved runs, ${repeats} repeat(s), medians` : `PyTorch not found at ${python} (install python3-torch): absolute figures only`);
console.log('Shared machines are noisy: compare ratios from the same run, not absolute times across runs.\n');

interface Row {
  depth: number;
  ours: RunResult[];
  torch: RunResult[];
}
const rows: Row[] = [];
for (const depth of depths) {
  const row: Row = { depth, ours: [], torch: [] };
  for (let r = 0; r < repeats; r++) {
    const common = ['--depth', String(depth), '--size', size, '--steps', steps, '--infer', infer, '--threads', String(threads)];
    // Alternate which engine goes first so slow drifts in machine load hit both alike.
    const order = r % 2 === 0 ? ['ours', 'torch'] : ['torch', 'ours'];
    for (const which of order) {
      if (which === 'ours') {
        const res = runJson(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join(here, 'engineRun.ts'), ...common, '--device', device, ...(r === 0 ? ['--breakdown'] : [])], {
          MED3D_THREADS: String(threads),
        });
        row.ours.push(res);
        process.stderr.write(`  ResNet-${depth} ours #${r + 1}: ${res.error ?? `step ${fmtMs(median(res.stepMs))}, infer ${fmtMs(median(res.inferMs))}`}\n`);
      } else if (torchVersion) {
        const res = runJson(python, [path.join(here, 'torch_medicalnet.py'), ...common], { OMP_NUM_THREADS: String(threads) });
        row.torch.push(res);
        process.stderr.write(`  ResNet-${depth} torch #${r + 1}: ${res.error ?? `step ${fmtMs(median(res.stepMs))}, infer ${fmtMs(median(res.inferMs))}`}\n`);
      }
    }
  }
  rows.push(row);
}

const stat = (rs: RunResult[], f: (r: RunResult) => number): number => median(rs.filter((r) => !r.error).map(f));
const header = ['model', 'metric', 'ours', 'pytorch', 'ratio', 'target'];
const table: string[][] = [];
for (const row of rows) {
  const metrics: [string, (r: RunResult) => number, string][] = [
    ['inference (warm)', (r) => median(r.inferMs), '<= 0.80x'],
    ['train step (warm)', (r) => median(r.stepMs), '<= 1.00x'],
    ['first step', (r) => r.firstStepMs, '<= 2.00x'],
    ['peak RSS', (r) => r.peakRssMiB, '<= 1.20x'],
  ];
  for (const [name, f, target] of metrics) {
    const a = stat(row.ours, f);
    const b = stat(row.torch, f);
    const isMem = name === 'peak RSS';
    table.push([`ResNet-${row.depth}`, name, isMem ? `${a.toFixed(0)} MiB` : fmtMs(a), row.torch.length ? (isMem ? `${b.toFixed(0)} MiB` : fmtMs(b)) : 'n/a', fmtRatio(a, b), target]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of table) console.log(line(r));

for (const row of rows) {
  const ok = row.ours.find((r) => r.ops);
  if (ok?.ops) {
    console.log(`\nResNet-${row.depth}: per-op time of one warm training step (${ok.backend}/${ok.kernels})`);
    const total = ok.ops.total;
    for (const [k, v] of Object.entries(ok.ops)) console.log(`  ${k.padEnd(40)} ${fmtMs(v).padStart(9)}  ${((100 * v) / total).toFixed(1).padStart(5)}%`);
  }
  for (const r of [...row.ours, ...row.torch]) if (r.error) console.log(`  ResNet-${row.depth} ${r.engine} failed: ${r.error}`);
}
