import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { KernelProvider } from '../nn/kernels/KernelProvider';
import { createOnednnKernels } from '../nn/kernels/onednnKernels';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import type { BackendRung } from './BackendRung';
import { installNativeTfjsKernels } from './nativeTfjsKernels';
import { quietCpuBanner } from './tfjsRung';

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
    // The cpu tfjs backend is active here, so synchronous reads are fine.
    const a = provider.conv3d(x, w, g).dataSync();
    const b = ref.conv3d(x, w, g).dataSync();
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (!(worst < 1e-3)) throw new Error(`native self-check failed: conv3d differs from the JS kernels by ${worst}`);
  });
}

/** Our oneDNN N-API addon (native/) under the tfjs cpu backend, multi-threaded. */
export const nativeRung: BackendRung = {
  name: 'native',
  kind: 'cpu',
  async start(ctx) {
    const load = ctx.native;
    if (!load.addon) throw new Error(`${load.error ?? 'native addon unavailable'}; to enable: ${load.howToEnable}`);
    await tf.setBackend('cpu');
    quietCpuBanner();
    const info = load.addon.info();
    const used = load.addon.setThreads(ctx.threads);
    const provider = createOnednnKernels(load.addon);
    nativeSelfCheck(provider);
    const nativeTfjsKernels = process.env.MED3D_NATIVE_TFJS_OPS === '0' ? [] : installNativeTfjsKernels(load.addon);
    return { tfjsBackend: 'cpu', provider, threads: used, simd: `${info.isa} (oneDNN ${info.dnnlVersion})`, nativeTfjsKernels };
  },
};
