import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { KernelProvider } from '../nn/kernels/KernelProvider';
import { createOnednnKernels } from '../nn/kernels/onednnKernels';
import { setKernels } from '../nn/kernels/registry';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import { HOW_TO_ENABLE_NATIVE, loadNativeAddon, type NativeAddon } from './nativeAddon';
import { installNativeTfjsKernels, uninstallNativeTfjsKernels } from './nativeTfjsKernels';

/**
 * The backend ladder of the Med3D engine, best first:
 *   tfjs-node-gpu → tfjs-node (optional npm deps, libtensorflow) → native oneDNN addon → plain tfjs.
 * `initEngineBackend` walks it from the preferred rung down, installs the tfjs backend and the
 * kernel provider of the first rung that works, and records why every better rung was skipped.
 * It never throws for a missing or broken backend: the last rung (plain tfjs) always works.
 */

export type BackendPreference = 'auto' | 'gpu' | 'cpu' | 'native' | 'js';
export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'native' | 'tfjs';

export interface BackendReport {
  /** The rung in use. */
  backend: BackendName;
  /** tfjs backend name ('tensorflow', 'cpu'). */
  tfjsBackend: string;
  /** Kernel provider name ('onednn', 'tfjs-cpu', ...). */
  kernels: string;
  /** Threads the kernels use (OpenMP threads for native; 1 for the plain JS kernels). */
  threads: number;
  /** SIMD level the kernels run with, e.g. 'avx512_core (oneDNN)', or 'none (plain JS kernels)'. */
  simd: string;
  /** SIMD extensions this CPU offers (from /proc/cpuinfo where available). */
  cpuSimd: string[];
  cpuModel: string;
  logicalCpus: number;
  native: { built: boolean; loaded: boolean; file: string; version?: string; isa?: string; error?: string; howToEnable: string };
  /** Better rungs that were not used, with the reason. */
  skipped: { name: BackendName; reason: string }[];
  preference: BackendPreference;
  /** tfjs cpu kernels replaced by native multi-threaded ones (native rung only). */
  nativeTfjsKernels: string[];
  /** Time the ladder took, ms. */
  initMs: number;
}

export interface InitBackendOptions {
  /** Where to start on the ladder (default: MED3D_BACKEND env or 'auto' = best available). */
  prefer?: BackendPreference;
  /** Thread count for native kernels (default: MED3D_THREADS env or all logical CPUs). */
  threads?: number;
}

const LADDER: BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs'];
const START: Record<BackendPreference, BackendName> = { auto: 'tfjs-node-gpu', gpu: 'tfjs-node-gpu', cpu: 'tfjs-node', native: 'native', js: 'tfjs' };

let last: BackendReport | null = null;

/** The report of the last `initEngineBackend` call in this thread, or null before the first. */
export function backendReport(): BackendReport | null {
  return last;
}

function cpuInfo(): { model: string; simd: string[] } {
  const model = os.cpus()[0]?.model?.trim() ?? 'unknown';
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = new Set((/^flags\s*:(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/));
    const simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_tile', 'neon'].filter((f) => flags.has(f));
    return { model, simd };
  } catch {
    return { model, simd: [] };
  }
}

function parsePreference(v: string | undefined): BackendPreference | undefined {
  return v === 'auto' || v === 'gpu' || v === 'cpu' || v === 'native' || v === 'js' ? v : undefined;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 300);
}

/** Tries an optional tfjs-node package; resolves to the tfjs backend name it registered. */
async function tryTfjsNode(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string> {
  const spec: string = pkg; // a variable specifier: the package is optional and may be absent at type-check time
  try {
    await import(spec);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${pkg} is not installed (optional dependency; its install downloads libtensorflow, which failed or was skipped)`);
    }
    throw new Error(`${pkg} is installed but failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackend('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg}: the 'tensorflow' backend failed to initialise`);
  if (pkg === '@tensorflow/tfjs-node-gpu') {
    // tfjs-node-gpu silently runs on the CPU when CUDA is missing; only claim the GPU rung with a GPU.
    const hasGpu = /GPU/i.test(JSON.stringify((tf.backend() as unknown as { getGPUs?: () => unknown }).getGPUs?.() ?? ''));
    if (!hasGpu && !process.env.MED3D_ASSUME_GPU) throw new Error(`${pkg} loaded but found no CUDA GPU`);
  }
  return 'tensorflow';
}

/** The cpu backend prints "install tfjs-node to speed things up" on first use; the ladder already reports that. */
function quietCpuBanner(): void {
  const b = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof b.firstUse === 'boolean') b.firstUse = false;
}

/**
 * A tiny conv through the native path compared with the JS kernels: a build against a
 * mismatched libdnnl or a CPU the binary cannot run on is caught here, not mid-training.
 */
function nativeSelfCheck(provider: KernelProvider): void {
  const ref = createTfjsKernels();
  tf.tidy(() => {
    const x = tf.tensor5d(Float32Array.from({ length: 3 * 4 * 5 * 2 }, (_, i) => Math.sin(i)), [1, 3, 4, 5, 2]);
    const w = tf.tensor5d(Float32Array.from({ length: 27 * 2 * 3 }, (_, i) => Math.cos(i)), [3, 3, 3, 2, 3]);
    const g = { strides: [1, 1, 1] as [number, number, number], pads: [1, 1, 1] as [number, number, number], dilations: [1, 1, 1] as [number, number, number] };
    const a = provider.conv3d(x, w, g).dataSync();
    const b = ref.conv3d(x, w, g).dataSync();
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (!(worst < 1e-3)) throw new Error(`native self-check failed: conv3d differs from the JS kernels by ${worst}`);
  });
}

function defaultThreads(): number {
  const env = Number(process.env.MED3D_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Walks the ladder and installs the chosen backend (tfjs backend + kernel provider registry).
 * Safe to call again (e.g. with another preference); each call replaces the previous choice.
 */
export async function initEngineBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const t0 = performance.now();
  const preference = opts.prefer ?? parsePreference(process.env.MED3D_BACKEND) ?? 'auto';
  const threads = opts.threads ?? defaultThreads();
  const cpu = cpuInfo();
  const skipped: BackendReport['skipped'] = [];
  const nativeLoad = loadNativeAddon();
  const native: BackendReport['native'] = {
    built: nativeLoad.built,
    loaded: nativeLoad.loaded,
    file: nativeLoad.file,
    howToEnable: nativeLoad.loaded ? 'enabled' : nativeLoad.howToEnable,
    ...(nativeLoad.error ? { error: nativeLoad.error } : {}),
  };
  if (nativeLoad.addon) {
    const info = nativeLoad.addon.info();
    native.version = info.dnnlVersion;
    native.isa = info.isa;
  }

  const start = LADDER.indexOf(START[preference]);
  for (const name of LADDER.slice(0, start)) skipped.push({ name, reason: `not tried: preference '${preference}'` });

  for (const name of LADDER.slice(start)) {
    let nativeTfjs: string[] = [];
    uninstallNativeTfjsKernels();
    try {
      let report: Omit<BackendReport, 'skipped' | 'preference' | 'initMs' | 'native' | 'cpuSimd' | 'cpuModel' | 'logicalCpus' | 'nativeTfjsKernels'>;
      if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
        const backend = await tryTfjsNode(name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
        setKernels({ ...createTfjsKernels(), name });
        report = { backend: name, tfjsBackend: backend, kernels: name, threads, simd: 'libtensorflow (its own dispatch)' };
      } else if (name === 'native') {
        if (!nativeLoad.addon) throw new Error(`${nativeLoad.error ?? 'native addon unavailable'}; to enable: ${nativeLoad.howToEnable}`);
        await tf.setBackend('cpu');
        quietCpuBanner();
        const addon: NativeAddon = nativeLoad.addon;
        const used = addon.setThreads(threads);
        const provider = createOnednnKernels(addon);
        nativeSelfCheck(provider);
        nativeTfjs = process.env.MED3D_NATIVE_TFJS_OPS === '0' ? [] : installNativeTfjsKernels(addon);
        setKernels(provider);
        report = { backend: 'native', tfjsBackend: 'cpu', kernels: provider.name, threads: used, simd: `${native.isa ?? 'unknown'} (oneDNN ${native.version ?? ''})`.trim() };
      } else {
        await tf.setBackend('cpu');
        quietCpuBanner();
        setKernels(createTfjsKernels());
        report = { backend: 'tfjs', tfjsBackend: 'cpu', kernels: 'tfjs-cpu', threads: 1, simd: 'none (plain JS kernels)' };
      }
      last = {
        ...report,
        cpuSimd: cpu.simd,
        cpuModel: cpu.model,
        logicalCpus: os.cpus().length,
        native,
        nativeTfjsKernels: nativeTfjs,
        skipped,
        preference,
        initMs: Math.round(performance.now() - t0),
      };
      return last;
    } catch (err) {
      uninstallNativeTfjsKernels();
      skipped.push({ name, reason: firstLine(err) });
    }
  }
  // Unreachable in practice (plain tfjs always works), but never leave the engine without kernels.
  throw new Error(`no engine backend could be initialised: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** One paragraph for humans (doctor, logs, the app's status bar tooltip). */
export function describeBackend(r: BackendReport): string {
  const lines = [
    `Engine backend: ${r.backend} (tfjs backend '${r.tfjsBackend}', kernels '${r.kernels}', ${r.threads} thread${r.threads === 1 ? '' : 's'})`,
    `SIMD in use: ${r.simd}; CPU: ${r.cpuModel}, ${r.logicalCpus} logical CPUs, offers ${r.cpuSimd.join(' ') || 'unknown'}`,
    `Native oneDNN addon: ${r.native.loaded ? `loaded (oneDNN ${r.native.version}, ${r.native.isa})` : r.native.built ? 'built but not loaded' : 'not built'} — ${r.native.file}`,
  ];
  if (r.nativeTfjsKernels.length) lines.push(`  native tfjs cpu kernels: ${r.nativeTfjsKernels.join(', ')}`);
  if (r.native.error) lines.push(`  why: ${r.native.error}`);
  if (!r.native.loaded) lines.push(`  to enable: ${r.native.howToEnable || HOW_TO_ENABLE_NATIVE}`);
  for (const s of r.skipped) lines.push(`Not using ${s.name}: ${s.reason}`);
  if (r.backend === 'tfjs') lines.push('Warning: plain TensorFlow.js kernels are ~100x slower than the native path on real volumes.');
  return lines.join('\n');
}
