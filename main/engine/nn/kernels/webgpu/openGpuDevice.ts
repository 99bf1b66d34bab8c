/// <reference types="@webgpu/types" />
import { prepareVulkan, type VulkanSource } from './prepareVulkan';

/**
 * Dawn adapter + device for this thread. The GPU object returned by the `webgpu` package's
 * `create()` must outlive every device made from it (when it is garbage-collected the device
 * dies: hangs, aborts, segfaults), so it is held in a module variable for the thread's life.
 */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  device: string;
  /** Software adapter (SwiftShader, WARP, ...). */
  isFallback: boolean;
}

export interface WebGpuProbe {
  available: boolean;
  adapter: WebGpuAdapterInfo | null;
  limits: Record<string, number>;
  features: string[];
  /** Why not available; '' when available. */
  reason: string;
  vulkan: VulkanSource;
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

let gpu: GPU | null = null;

async function loadDawn(): Promise<GPU> {
  if (gpu) return gpu;
  let dawn: DawnModule;
  try {
    // A variable specifier keeps bundlers from inlining the optional native package.
    const name = 'webgpu';
    dawn = (await import(name)) as DawnModule;
  } catch (e) {
    throw new Error(`the optional package 'webgpu' (Dawn for Node) is not installed or does not load here: ${(e as Error).message.split('\n')[0]}`);
  }
  // GPUBufferUsage, GPUMapMode, ... as the WebGPU spec's globals.
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  gpu = dawn.create([]);
  return gpu;
}

function infoOf(adapter: GPUAdapter): WebGpuAdapterInfo {
  // `info` (and `info.isFallbackAdapter`) are newer than the installed @webgpu/types.
  const a = adapter as GPUAdapter & { info?: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };
  const info = a.info ?? {};
  const legacy = a.isFallbackAdapter;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    device: info.device ?? '',
    isFallback: Boolean(info.isFallbackAdapter ?? legacy ?? false),
  };
}

function limitsOf(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  // GPUSupportedLimits exposes its fields as prototype getters.
  const proto = Object.getPrototypeOf(adapter.limits) as object;
  for (const k of Object.getOwnPropertyNames(proto)) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** Limits we ask for: the adapter's maxima for the sizes our kernels depend on. */
const WANTED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage'] as const;

export interface OpenedDevice {
  device: GPUDevice;
  probe: WebGpuProbe;
}

/** Opens an adapter and device; rejects with a one-line reason when none is usable. */
export async function openGpuDevice(): Promise<OpenedDevice> {
  const vulkan = prepareVulkan();
  const g = await loadDawn();
  const adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const hint =
      vulkan === 'none'
        ? 'no Vulkan loader (libvulkan.so.1) found; install a GPU driver with Vulkan support, or Debian chromium for the SwiftShader software adapter'
        : `Vulkan loader found (${vulkan}) but Dawn offered no adapter (no Vulkan driver, or one Dawn rejects)`;
    throw new Error(`no WebGPU adapter: ${hint}`);
  }
  const limits = limitsOf(adapter);
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) if (limits[k] !== undefined) requiredLimits[k] = limits[k];
  const device = await adapter.requestDevice({ requiredLimits });
  return {
    device,
    probe: { available: true, adapter: infoOf(adapter), limits, features: [...adapter.features].sort(), reason: '', vulkan },
  };
}

/** Probes this thread's WebGPU adapter without throwing (the device is released again). */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  try {
    const { device, probe } = await openGpuDevice();
    device.destroy();
    return probe;
  } catch (e) {
    return { available: false, adapter: null, limits: {}, features: [], reason: (e as Error).message, vulkan: decidedVulkan() };
  }
}

function decidedVulkan(): VulkanSource {
  try {
    return prepareVulkan();
  } catch {
    return 'none';
  }
}
