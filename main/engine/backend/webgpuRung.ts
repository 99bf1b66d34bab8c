import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createWebGpuKernels, probeWebGpu, type WebGpuAdapterInfo, type WebGpuProbe } from '../nn/kernels/webgpu/index';
import type { BackendRung } from './BackendRung';
import { quietCpuBanner } from './tfjsRung';

/**
 * The webgpu rung: area D's WGSL KernelProvider (main/engine/nn/kernels/webgpu, contract in its
 * README) on Dawn for Node. Tensors stay on the tfjs cpu backend; the provider runs the hot kernels
 * on the GPU from its own thread, so every read-back in the engine stays valid.
 * `auto` and `gpu` refuse software adapters (SwiftShader is slower than our CPU path);
 * `--device webgpu` accepts them, which is how CI tests this rung without a GPU.
 */

/** Adapter, limits and Vulkan facts for `med3d doctor`, whether or not the rung is taken. Never throws. */
export async function probeWebgpu(): Promise<WebGpuProbe> {
  try {
    return await probeWebGpu();
  } catch (err) {
    return { available: false, adapter: null, limits: {}, features: [], reason: (err as Error).message.split('\n')[0], vulkan: 'none' };
  }
}

/** One line naming an adapter, e.g. 'google swiftshader (SwiftShader driver 5.0.0), software fallback'. */
export function adapterSummary(a: WebGpuAdapterInfo): string {
  const what = [a.vendor, a.architecture].filter(Boolean).join(' ') || a.device || 'unknown adapter';
  return `${what}${a.description ? ` (${a.description})` : ''}, ${a.isFallback ? 'software fallback' : 'hardware'}`;
}

export const webgpuRung: BackendRung = {
  name: 'webgpu',
  kind: 'gpu',
  async start(ctx) {
    const provider = await createWebGpuKernels({ rejectFallback: !ctx.allowSoftwareAdapter });
    await tf.setBackend('cpu');
    quietCpuBanner();
    return { tfjsBackend: 'cpu', provider, threads: ctx.threads, simd: `WebGPU: ${adapterSummary(provider.adapter)}`, adapter: provider.adapter, dispose: () => provider.dispose() };
  },
};
