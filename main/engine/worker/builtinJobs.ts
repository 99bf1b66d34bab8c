import * as tf from '@tensorflow/tfjs-core';
import { backendReport } from '../backend/selectBackend';
import type { Shape5D } from '../nn/kernels/KernelProvider';
import { getKernels } from '../nn/kernels/registry';
import type { EngineJobContext, EngineJobTable } from './EngineJobContext';

/**
 * Jobs every engine worker knows: its backend report, a buffer round trip and a conv workload
 * (used by the doctor / benchmarks and to prove the UI thread stays responsive).
 */

export interface ConvWorkloadPayload {
  /** NDHWC input shape (default 1x32x32x32x16). */
  shape?: Shape5D;
  /** Output channels (default 16). */
  channels?: number;
  iterations?: number;
}

export interface ConvWorkloadResult {
  iterations: number;
  msPerIteration: number;
  kernels: string;
  checksum: number;
}

async function convWorkload(payload: ConvWorkloadPayload | undefined, ctx: EngineJobContext): Promise<ConvWorkloadResult> {
  const p = payload ?? {};
  const shape = p.shape ?? [1, 32, 32, 32, 16];
  const co = p.channels ?? 16;
  const iterations = p.iterations ?? 10;
  if (!Array.isArray(shape) || shape.length !== 5 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`engine:conv-workload: shape must be 5 positive integers (NDHWC), got ${JSON.stringify(shape)}`);
  }
  const k = getKernels();
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor5D;
  const w = tf.randomNormal([3, 3, 3, shape[4], co], 0, 0.1, 'float32', 2) as tf.Tensor5D;
  const g = { strides: [1, 1, 1] as [number, number, number], pads: [1, 1, 1] as [number, number, number], dilations: [1, 1, 1] as [number, number, number] };
  let checksum = 0;
  const t0 = performance.now();
  try {
    for (let i = 0; i < iterations; i++) {
      await ctx.checkpoint();
      const y = k.conv3d(x, w, g);
      checksum = y.dataSync()[0];
      y.dispose();
      ctx.progress({ fraction: (i + 1) / iterations, message: `conv ${i + 1}/${iterations}` });
    }
  } finally {
    x.dispose();
    w.dispose();
  }
  return { iterations, msPerIteration: (performance.now() - t0) / iterations, kernels: k.name, checksum };
}

/** Echoes Float32Arrays back after scaling them by `factor`, transferring (not copying) the buffers. */
function scale(p: { arrays: Float32Array[]; factor: number }, ctx: EngineJobContext): { arrays: Float32Array[] } {
  if (!p || !Array.isArray(p.arrays)) throw new Error('engine:scale: payload.arrays must be an array of Float32Array');
  for (const a of p.arrays) {
    for (let i = 0; i < a.length; i++) a[i] *= p.factor;
    ctx.transfer(a.buffer as ArrayBuffer);
  }
  return { arrays: p.arrays };
}

export const builtinJobs = {
  'engine:report': (_payload: null) => backendReport(),
  'engine:conv-workload': convWorkload,
  'engine:scale': scale,
} satisfies EngineJobTable;

export type BuiltinJobs = typeof builtinJobs;
