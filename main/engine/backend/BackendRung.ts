import type { KernelProvider } from '../nn/kernels/KernelProvider';
import type { NativeLoadResult } from './nativeAddon';
import type { WebGpuAdapterInfo } from '../nn/kernels/webgpu/index';

/** The rungs of the backend ladder, best first (see selectBackend.ts). */
export type BackendName = 'webgpu' | 'tfjs-node-gpu' | 'tfjs-node' | 'native' | 'tfjs';

/** What a rung may look at while it starts. */
export interface RungContext {
  /** Kernel threads asked for (native rung). */
  threads: number;
  /** The webgpu rung may use a software adapter (only when `--device webgpu` asked for it). */
  allowSoftwareAdapter: boolean;
  /** The native addon, loaded once per ladder walk. */
  native: NativeLoadResult;
}

/** A started rung: the tfjs backend it set and the kernel provider to install. */
export interface RungStarted {
  tfjsBackend: string;
  provider: KernelProvider;
  threads: number;
  /** SIMD level or GPU the kernels run with, in words. */
  simd: string;
  /** tfjs cpu kernels replaced by native multi-threaded ones (native rung only). */
  nativeTfjsKernels?: string[];
  adapter?: WebGpuAdapterInfo;
  /** Releases what the rung holds (the GPU thread) when another rung replaces it. */
  dispose?: () => void;
}

/**
 * One rung. `start` sets the tfjs backend and returns the provider, or throws with a one-line
 * reason why this rung cannot run here (shown by `med3d doctor` and in device errors).
 */
export interface BackendRung {
  readonly name: BackendName;
  readonly kind: 'gpu' | 'cpu';
  start(ctx: RungContext): Promise<RungStarted>;
}

/** First line of an error, capped: reasons are shown one per line. */
export function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 300);
}
