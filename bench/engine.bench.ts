/**
 * `npm run bench`: our engine vs PyTorch, in one run so ratios are fair on a shared machine.
 *   1. Per kernel (conv fwd / bwd-data / bwd-filter, batch norm, max-pool, Adam): ms and GFLOP/s.
 *   2. MedicalNet ResNet-10/34/50 (width 64 unless --width) on 1x1xDxHxW: warm inference, warm training step
 *      (forward + backward + Adam), first step, peak RSS; per-op breakdown of our training step.
 * Every measurement runs in a fresh process; engines are interleaved; medians.
 *
 * `--device gpu|webgpu` measures that device AND our CPU path beside PyTorch (CPU) in the same run.
 *
 * Options: --device auto|cpu|gpu|webgpu|native|tfjs  --small (sizes for software adapters such as
 *   SwiftShader: kernels on 1x8x16x16x16, models width 16 on 1x1x16x32x32)  --kernels full|small
 *   --size 56,112,112  --width 64  --depths 10,34,50  --repeats 2  --steps 3  --infer 3  --threads N
 *   --no-models / --no-kernels
 * PyTorch comes from Debian's python3-torch (/usr/bin/python3 or MED3D_TORCH_PYTHON); when it
 * is missing the tables show our figures only.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDevice } from '../main/engine/backend/device';
import { KERNEL_SIZES } from './kernelCases';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const small = flag('small');
const depths = arg('depths', '10,34,50').split(',').map(Number);
const size = arg('size', small ? '16,32,32' : '56,112,112');
const width = arg('width', small ? '16' : '64');
const kernelSize = arg('kernels', small ? 'small' : 'full') as keyof typeof KERNEL_SIZES;
const repeats = Number(arg('repeats', '2'));
const steps = arg('steps', '3');
const infer = arg('infer', '3');
const threads = Number(arg('threads', String(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
const device = parseDevice(arg('device', 'auto'));
/** A GPU device is measured beside our CPU path; any other device alone. */
const devices = device === 'gpu' || device === 'webgpu' ? [device, 'cpu'] : [device];
const python = process.env.MED3D_TORCH_PYTHON ?? '/usr/bin/python3';
if (!KERNEL_SIZES[kernelSize]) throw new Error(`--kernels: expected ${Object.keys(KERNEL_SIZES).join('|')}, got '${kernelSize}'`);

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

interface KernelFigure {
  name: string;
  label: string;
  ms: number;
  gflops: number;
  firstMs: number;
}
interface KernelRunResult {
  engine: string;
  backend?: string;
  kernelsName?: string;
  adapter?: { vendor: string; architecture: string; description: string; isFallback: boolean } | null;
  kernels: KernelFigure[];
  error?: string;
}

function runJson<T extends object>(cmd: string, args: string[], env: NodeJS.ProcessEnv, failed: (why: string) => T): T {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.status !== 0 || !line) {
    const why = `${r.stderr ?? ''}`.trim().split('\n').filter((l) => !l.startsWith('Warning:') && !/^\s+at /.test(l)).slice(-3).join(' | ') || `exit ${r.status ?? r.signal}`;
    return failed(why);
  }
  return JSON.parse(line) as T;
}
const failedRun = (engine: string) => (error: string): RunResult => ({ engine, firstStepMs: NaN, stepMs: [], inferMs: [], peakRssMiB: NaN, error });

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
const fmtMs = (ms: number): string => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`) : 'n/a');
const fmtRatio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const fmtG = (g: number): string => (Number.isFinite(g) ? (g >= 10 ? g.toFixed(0) : g >= 0.1 ? g.toFixed(2) : g.toPrecision(2)) : 'n/a');

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

const torchVersion = torchAvailable();
const runTs = (script: string, args: string[]): [string, string[]] => [process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join(here, script), ...args]];
console.log(`Med3D engine benchmark — devices ${devices.join(', ')}; kernels '${kernelSize}'; MedicalNet ResNet-${depths.join('/')} width ${width} on 1x1x${size.replace(/,/g, 'x')}; ${threads} CPU threads`);
console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(torchVersion ? `Reference: PyTorch ${torchVersion} (${python}, CPU), same threads, interleaved runs, ${repeats} repeat(s), medians` : `PyTorch not found at ${python} (install python3-torch): our figures only`);
console.log('Shared machines are noisy: compare ratios from the same run, not absolute times across runs.\n');

// ---------- 1. kernels ----------
if (!flag('no-kernels')) {
  const cases = KERNEL_SIZES[kernelSize]();
  const ours = new Map<string, KernelRunResult[]>(devices.map((d) => [d, []]));
  const torch: KernelRunResult[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const d of devices) {
      const [cmd, args] = runTs('kernelRun.ts', ['--device', d, '--kernels', kernelSize]);
      const res = runJson<KernelRunResult>(cmd, args, { MED3D_THREADS: String(threads) }, (error) => ({ engine: 'ours', kernels: [], error }));
      ours.get(d)!.push(res);
      process.stderr.write(`  kernels ${d} #${r + 1}: ${res.error ?? `${res.backend}/${res.kernelsName}`}\n`);
    }
    if (torchVersion) {
      const res = runJson<KernelRunResult>(python, [path.join(here, 'torch_kernels.py'), '--cases', JSON.stringify(cases), '--threads', String(threads)], { OMP_NUM_THREADS: String(threads) }, (error) => ({ engine: 'pytorch', kernels: [], error }));
      torch.push(res);
      process.stderr.write(`  kernels pytorch #${r + 1}: ${res.error ?? 'ok'}\n`);
    }
  }
  const fig = (rs: KernelRunResult[], name: string, f: (k: KernelFigure) => number): number => median(rs.flatMap((x) => x.kernels.filter((k) => k.name === name).map(f)));
  const label = (d: string): string => {
    const r = ours.get(d)!.find((x) => !x.error);
    return r ? `${d}=${r.backend}` : d;
  };
  const header = ['kernel', 'shape', ...devices.flatMap((d) => [`${label(d)} ms`, 'GFLOP/s']), ...(torchVersion ? ['pytorch ms', 'GFLOP/s', `${devices[0]} vs pytorch`] : []), ...(devices.length > 1 ? [`${devices[0]} vs ${devices[1]}`] : [])];
  const rows = cases.map((c) => {
    const ms = devices.map((d) => fig(ours.get(d)!, c.name, (k) => k.ms));
    const tms = fig(torch, c.name, (k) => k.ms);
    return [
      c.name,
      c.label,
      ...devices.flatMap((d, i) => [fmtMs(ms[i]), fmtG(fig(ours.get(d)!, c.name, (k) => k.gflops))]),
      ...(torchVersion ? [fmtMs(tms), fmtG(fig(torch, c.name, (k) => k.gflops)), `${fmtRatio(tms, ms[0])} speed`] : []),
      ...(devices.length > 1 ? [`${fmtRatio(ms[1], ms[0])} speed`] : []),
    ];
  });
  console.log('Kernels (warm call incl. any host↔GPU copies; first call with shader compile not counted):');
  printTable(header, rows);
  const adapter = [...ours.values()].flat().find((r) => r.adapter)?.adapter;
  if (adapter) console.log(`WebGPU adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.description})${adapter.isFallback ? ', software fallback' : ''}`);
  for (const [d, rs] of ours) for (const r of rs) if (r.error) console.log(`  kernels on ${d} failed: ${r.error}`);
  for (const r of torch) if (r.error) console.log(`  pytorch kernels failed: ${r.error}`);
  console.log('');
}

// ---------- 2. models ----------
if (!flag('no-models')) {
  interface Row {
    depth: number;
    ours: Map<string, RunResult[]>;
    torch: RunResult[];
  }
  const rows: Row[] = [];
  for (const depth of depths) {
    const row: Row = { depth, ours: new Map(devices.map((d) => [d, []])), torch: [] };
    for (let r = 0; r < repeats; r++) {
      const common = ['--depth', String(depth), '--size', size, '--width', width, '--steps', steps, '--infer', infer, '--threads', String(threads)];
      // Alternate which engine goes first so slow drifts in machine load hit both alike.
      const order = r % 2 === 0 ? [...devices, 'torch'] : ['torch', ...devices];
      for (const which of order) {
        if (which !== 'torch') {
          const [cmd, args] = runTs('engineRun.ts', [...common, '--device', which, ...(r === 0 ? ['--breakdown'] : [])]);
          const res = runJson<RunResult>(cmd, args, { MED3D_THREADS: String(threads) }, failedRun(`ours (${which})`));
          row.ours.get(which)!.push(res);
          process.stderr.write(`  ResNet-${depth} ${which} #${r + 1}: ${res.error ?? `step ${fmtMs(median(res.stepMs))}, infer ${fmtMs(median(res.inferMs))}`}\n`);
        } else if (torchVersion) {
          const res = runJson<RunResult>(python, [path.join(here, 'torch_medicalnet.py'), ...common], { OMP_NUM_THREADS: String(threads) }, failedRun('pytorch'));
          row.torch.push(res);
          process.stderr.write(`  ResNet-${depth} torch #${r + 1}: ${res.error ?? `step ${fmtMs(median(res.stepMs))}, infer ${fmtMs(median(res.inferMs))}`}\n`);
        }
      }
    }
    rows.push(row);
  }

  const stat = (rs: RunResult[], f: (r: RunResult) => number): number => median(rs.filter((r) => !r.error).map(f));
  const header = ['model', 'metric', ...devices.map((d) => `ours ${d}`), 'pytorch', `${devices[0]} / pytorch`, ...(devices.length > 1 ? [`${devices[0]} / ${devices[1]}`] : []), 'target'];
  const table: string[][] = [];
  for (const row of rows) {
    const metrics: [string, (r: RunResult) => number, string][] = [
      ['inference (warm)', (r) => median(r.inferMs), '<= 0.80x'],
      ['train step (warm)', (r) => median(r.stepMs), devices[0] === 'cpu' || devices.length === 1 ? '<= 1.00x' : '<= 0.10x vs cpu'],
      ['first step', (r) => r.firstStepMs, '<= 2.00x'],
      ['peak RSS', (r) => r.peakRssMiB, '<= 1.20x'],
    ];
    for (const [name, f, target] of metrics) {
      const v = devices.map((d) => stat(row.ours.get(d)!, f));
      const b = stat(row.torch, f);
      const isMem = name === 'peak RSS';
      const show = (x: number): string => (isMem ? `${x.toFixed(0)} MiB` : fmtMs(x));
      table.push([`ResNet-${row.depth}`, name, ...v.map(show), row.torch.length ? show(b) : 'n/a', fmtRatio(v[0], b), ...(devices.length > 1 ? [fmtRatio(v[0], v[1])] : []), target]);
    }
  }
  console.log('Models (time ratios: lower is faster):');
  printTable(header, table);

  for (const row of rows) {
    for (const [d, rs] of row.ours) {
      const ok = rs.find((r) => r.ops);
      if (ok?.ops) {
        console.log(`\nResNet-${row.depth} on ${d}: per-op time of one warm training step (${ok.backend}/${ok.kernels})`);
        const total = ok.ops.total;
        for (const [k, v] of Object.entries(ok.ops)) console.log(`  ${k.padEnd(40)} ${fmtMs(v).padStart(9)}  ${((100 * v) / total).toFixed(1).padStart(5)}%`);
      }
      for (const r of rs) if (r.error) console.log(`  ResNet-${row.depth} ${r.engine} failed: ${r.error}`);
    }
    for (const r of row.torch) if (r.error) console.log(`  ResNet-${row.depth} ${r.engine} failed: ${r.error}`);
  }
}
