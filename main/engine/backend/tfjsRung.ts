import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import type { BackendRung } from './BackendRung';

/** The cpu backend prints "install tfjs-node to speed things up" on first use; the ladder already reports that. */
export function quietCpuBanner(): void {
  const b = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof b.firstUse === 'boolean') b.firstUse = false;
}

/** Last rung: plain TensorFlow.js kernels on its cpu backend. Always works. */
export const tfjsRung: BackendRung = {
  name: 'tfjs',
  kind: 'cpu',
  async start() {
    await tf.setBackend('cpu');
    quietCpuBanner();
    return { tfjsBackend: 'cpu', provider: createTfjsKernels(), threads: 1, simd: 'none (plain JS kernels)' };
  },
};
