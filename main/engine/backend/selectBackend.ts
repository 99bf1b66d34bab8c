import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setKernels } from '../nn/kernels/registry';
import { firstLine, type BackendName, type BackendRung, type RungContext, type RungStarted } from './BackendRung';
import { defaultDevice, type DeviceChoice, type EngineDevice } from './device';
import { HOW_TO_ENABLE_NATIVE, loadNativeAddon } from './nativeAddon';
import { nativeRung } from './nativeRung';
import { uninstallNativeTfjsKernels } from './nativeTfjsKernels';
import { tfjsNodeGpuRung, tfjsNodeRung } from './tfjsNodeRung';
import { tfjsRung } from './tfjsRung';
import { webgpuRung } from './webgpuRung';
import type { WebGpuAdapterInfo } from '../nn/kernels/webgpu/index';

export type { BackendName } from './BackendRung';

/**
 * The backend ladder of the Med3D engine, best first:
 *   webgpu (our WGSL kernels on Dawn, any GPU vendor) → tfjs-node-gpu (CUDA) → tfjs-node →
 *   native oneDNN addon → plain tfjs.
 * `initEngineBackend({ device })` walks the rungs the device allows (device.ts), installs the
 * tfjs backend and kernel provider of the first rung that starts, and records why every better
 * rung was not used. `auto` and `cpu` always end on a working rung (plain tfjs); `gpu`, `webgpu`
 * and a pinned rung throw EngineDeviceError instead of falling back silently.
 */

/** Registry of rungs, best first; the ladder never names a rung anywhere else. */
const LADDER: readonly BackendRung[] = [webgpuRung, tfjsNodeGpuRung, tfjsNodeRung, nativeRung, tfjsRung];

export interface BackendReport {
  /** The rung in use. */
  backend: BackendName;
  /** The device that was asked for (--device, MED3D_DEVICE or 'auto'). */
  device: EngineDevice;
  /** 'gpu' when the kernels run on a GPU (webgpu, tfjs-node-gpu), else 'cpu'. */
  runsOn: 'gpu' | 'cpu';
  /** tfjs backend name ('tensorflow', 'cpu'). */
  tfjsBackend: string;
  /** Kernel provider name ('webgpu', 'onednn', 'tfjs-cpu', ...). */
  kernels: string;
  /** Threads the kernels use (OpenMP threads for native; 1 for the plain JS kernels). */
  threads: number;
  /** SIMD level or GPU the kernels run with, e.g. 'avx512_core (oneDNN 3.0)'. */
  simd: string;
  /** The WebGPU adapter in use (webgpu rung only). */
  adapter: WebGpuAdapterInfo | null;
  /** SIMD extensions this CPU offers (from /proc/cpuinfo where available). */
  cpuSimd: string[];
  cpuModel: string;
  logicalCpus: number;
  native: { built: boolean; loaded: boolean; file: string; version?: string; isa?: string; error?: string; howToEnable: string };
  /** Better rungs that were not used, with the reason. */
  skipped: { name: BackendName; reason: string }[];
  /** Every rung of the ladder, best first: used, or why not. */
  rungs: { name: BackendName; runsOn: 'gpu' | 'cpu'; used: boolean; reason: string }[];
  /** tfjs cpu kernels replaced by native multi-threaded ones (native rung only). */
  nativeTfjsKernels: string[];
  /** Time the ladder took, ms. */
  initMs: number;
}

export interface InitBackendOptions {
  /** Which device to run on (default: defaultDevice(): --device set for this process, MED3D_DEVICE, else 'auto'). */
  device?: EngineDevice;
  /** Thread count for native kernels (default: MED3D_THREADS env or all logical CPUs). */
  threads?: number;
}

/** The asked-for device cannot run here; one line, meant for users (`med3d: --device gpu: ...`). */
export class EngineDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineDeviceError';
  }
}

interface Plan {
  rungs: readonly BackendRung[];
  /** Failure of every planned rung is an error (no silent fallback). */
  strict: boolean;
  allowSoftwareAdapter: boolean;
}

/** Which rungs each device choice may use; a pinned rung (native, tfjs, ...) uses only itself. */
const PLANS: Record<DeviceChoice, Plan> = {
  auto: { rungs: LADDER, strict: false, allowSoftwareAdapter: false },
  cpu: { rungs: LADDER.filter((r) => r.kind === 'cpu'), strict: false, allowSoftwareAdapter: false },
  gpu: { rungs: LADDER.filter((r) => r.kind === 'gpu'), strict: true, allowSoftwareAdapter: false },
  webgpu: { rungs: [webgpuRung], strict: true, allowSoftwareAdapter: true },
};

export function planFor(device: EngineDevice): Plan {
  return PLANS[device as DeviceChoice] ?? { rungs: LADDER.filter((r) => r.name === device), strict: true, allowSoftwareAdapter: false };
}

let last: BackendReport | null = null;
let releaseCurrent: (() => void) | undefined;

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

function defaultThreads(): number {
  const env = Number(process.env.MED3D_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Walks the ladder for the device and installs the chosen backend (tfjs backend + kernel
 * provider registry). Safe to call again; each call replaces (and releases) the previous choice.
 */
export async function initEngineBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const t0 = performance.now();
  const device = opts.device ?? defaultDevice();
  const plan = planFor(device);
  const nativeLoad = loadNativeAddon();
  const ctx: RungContext = { threads: opts.threads ?? defaultThreads(), allowSoftwareAdapter: plan.allowSoftwareAdapter, native: nativeLoad };
  const info = nativeLoad.addon?.info();
  const native: BackendReport['native'] = {
    built: nativeLoad.built,
    loaded: nativeLoad.loaded,
    file: nativeLoad.file,
    howToEnable: nativeLoad.loaded ? 'enabled' : nativeLoad.howToEnable,
    ...(nativeLoad.error ? { error: nativeLoad.error } : {}),
    ...(info ? { version: info.dnnlVersion, isa: info.isa } : {}),
  };
  const skipped: BackendReport['skipped'] = [];
  let started: { rung: BackendRung; result: RungStarted } | null = null;
  for (const rung of LADDER) {
    if (started) break;
    if (!plan.rungs.includes(rung)) {
      // Only rungs better than the one finally used are reported; this is refined below.
      skipped.push({ name: rung.name, reason: `not tried: --device ${device}` });
      continue;
    }
    uninstallNativeTfjsKernels();
    try {
      started = { rung, result: await rung.start(ctx) };
    } catch (err) {
      uninstallNativeTfjsKernels();
      skipped.push({ name: rung.name, reason: firstLine(err).replace(`${rung.name}: `, '') });
    }
  }
  if (!started) {
    const why = skipped.filter((s) => plan.rungs.some((r) => r.name === s.name)).map((s) => `${s.name}: ${s.reason}`);
    throw new EngineDeviceError(`--device ${device}: ${plan.strict ? 'not available here' : 'no engine backend could start'} (${why.join('; ')})`);
  }
  const { rung, result } = started;
  const cpu = cpuInfo();
  // Rungs below the one in use were never needed: keep only the better ones in the report.
  const better = new Set(LADDER.slice(0, LADDER.indexOf(rung)).map((r) => r.name));
  releaseCurrent?.();
  releaseCurrent = result.dispose;
  setKernels(result.provider);
  last = {
    backend: rung.name,
    device,
    runsOn: rung.kind,
    tfjsBackend: result.tfjsBackend,
    kernels: result.provider.name,
    threads: result.threads,
    simd: result.simd,
    adapter: result.adapter ?? null,
    cpuSimd: cpu.simd,
    cpuModel: cpu.model,
    logicalCpus: os.cpus().length,
    native,
    nativeTfjsKernels: result.nativeTfjsKernels ?? [],
    skipped: skipped.filter((s) => better.has(s.name)),
    rungs: LADDER.map((r) => ({
      name: r.name,
      runsOn: r.kind,
      used: r === rung,
      reason: r === rung ? 'in use' : (skipped.find((s) => s.name === r.name)?.reason ?? `not needed: ${rung.name} started first`),
    })),
    initMs: Math.round(performance.now() - t0),
  };
  return last;
}

/** One paragraph for humans (doctor, logs, the app's status bar tooltip). */
export function describeBackend(r: BackendReport): string {
  const lines = [
    `Engine backend: ${r.backend} on ${r.runsOn.toUpperCase()} (device '${r.device}'; tfjs backend '${r.tfjsBackend}', kernels '${r.kernels}', ${r.threads} thread${r.threads === 1 ? '' : 's'})`,
    `${r.runsOn === 'gpu' ? 'GPU' : 'SIMD in use'}: ${r.simd}; CPU: ${r.cpuModel}, ${r.logicalCpus} logical CPUs, offers ${r.cpuSimd.join(' ') || 'unknown'}`,
    `Native oneDNN addon: ${r.native.loaded ? `loaded (oneDNN ${r.native.version}, ${r.native.isa})` : r.native.built ? 'built but not loaded' : 'not built'} — ${r.native.file}`,
  ];
  if (r.nativeTfjsKernels.length) lines.push(`  native tfjs cpu kernels: ${r.nativeTfjsKernels.join(', ')}`);
  if (r.native.error) lines.push(`  why: ${r.native.error}`);
  if (!r.native.loaded) lines.push(`  to enable: ${r.native.howToEnable || HOW_TO_ENABLE_NATIVE}`);
  for (const s of r.skipped) lines.push(`Not using ${s.name}: ${s.reason}`);
  if (r.backend === 'tfjs') lines.push('Warning: plain TensorFlow.js kernels are ~100x slower than the native path on real volumes.');
  return lines.join('\n');
}
