/**
 * One per-kernel measurement run of OUR engine on one device, in its own process. Prints one JSON
 * line: the backend report and, per kernel case (bench/kernelCases.ts), the median ms of `repeats`
 * warm calls and GFLOP/s. Driven by bench/engine.bench.ts.
 *
 *   node bin/run-ts.mjs bench/kernelRun.ts --device webgpu --kernels small --repeats 3
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseDevice } from '../main/engine/backend/device';
import { initEngineBackend } from '../main/engine/backend/selectBackend';
import type { Conv3dGeometry, KernelProvider, Shape5D } from '../main/engine/nn/kernels/KernelProvider';
import { getKernels } from '../main/engine/nn/kernels/registry';
import { KERNEL_SIZES, type KernelCase, type KernelCaseName } from './kernelCases';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const CONV: Conv3dGeometry = { strides: [1, 1, 1], pads: [1, 1, 1], dilations: [1, 1, 1] };

/** Builds the inputs of one case and returns a closure that runs the kernel once and reads the result. */
function prepare(k: KernelProvider, c: KernelCase): { call: () => Promise<void>; dispose: () => void } {
  const rnd = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const x = rnd(c.x, 1);
  const keep: tf.Tensor[] = [x];
  const read = async (t: tf.Tensor | tf.Tensor[]): Promise<void> => {
    for (const r of Array.isArray(t) ? t : [t]) {
      await r.data();
      r.dispose();
    }
  };
  const runs: Record<KernelCaseName, () => tf.Tensor | tf.Tensor[]> = {
    'conv fwd': () => k.conv3d(x as tf.Tensor5D, w(), CONV),
    'conv bwd-data': () => k.conv3dBackpropInput(y(), w(), c.x as Shape5D, CONV),
    'conv bwd-filter': () => k.conv3dBackpropFilter(x as tf.Tensor5D, y(), [3, 3, 3, c.x[4], c.co!], CONV),
    'bn train fwd': () => {
      const r = k.batchNormTrain(x as tf.Tensor5D, gamma(), beta(), 1e-5, true);
      return [r.y, r.mean, r.variance];
    },
    'bn bwd': () => {
      const r = k.batchNormBackward(y(), x as tf.Tensor5D, gamma(), mean(), variance(), 1e-5, null);
      return [r.dx, r.dgamma, r.dbeta];
    },
    'maxpool fwd': () => k.maxPool3d(x as tf.Tensor5D, { kernel: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1] }),
    adam: () => {
      const r = k.adamUpdate(x, grad(), m(), v(), { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3, weightDecay: 0 });
      return [r.param, r.m, r.v];
    },
  };
  // Lazily made extra inputs, created once per case.
  const memo = new Map<string, tf.Tensor>();
  const once = <T extends tf.Tensor>(key: string, make: () => tf.Tensor): (() => T) => () => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  const ch = c.x[4] ?? 1;
  const w = once<tf.Tensor5D>('w', () => tf.mul(rnd([3, 3, 3, ch, c.co ?? ch], 2), 0.05));
  const y = once<tf.Tensor5D>('y', () => rnd(c.x, 3));
  const gamma = once<tf.Tensor1D>('gamma', () => tf.ones([ch]));
  const beta = once<tf.Tensor1D>('beta', () => tf.zeros([ch]));
  const mean = once<tf.Tensor1D>('mean', () => tf.zeros([ch]));
  const variance = once<tf.Tensor1D>('variance', () => tf.ones([ch]));
  const grad = once<tf.Tensor>('grad', () => rnd(c.x, 4));
  const m = once<tf.Tensor>('m', () => tf.zeros(c.x));
  const v = once<tf.Tensor>('v', () => tf.ones(c.x));
  return {
    call: () => read(runs[c.name]()),
    dispose: () => {
      keep.forEach((t) => t.dispose());
      memo.forEach((t) => t.dispose());
    },
  };
}

async function main(): Promise<void> {
  const device = parseDevice(arg('device', 'auto'));
  const size = arg('kernels', 'full') as keyof typeof KERNEL_SIZES;
  if (!KERNEL_SIZES[size]) throw new Error(`--kernels: expected ${Object.keys(KERNEL_SIZES).join('|')}, got '${size}'`);
  const repeats = Number(arg('repeats', '3'));
  const report = await initEngineBackend({ device });
  const k = getKernels();
  const kernels: { name: string; label: string; ms: number; gflops: number; firstMs: number }[] = [];
  for (const c of KERNEL_SIZES[size]()) {
    const p = prepare(k, c);
    let t = performance.now();
    await p.call(); // first call: shader compile / allocation, reported apart
    const firstMs = performance.now() - t;
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      t = performance.now();
      await p.call();
      ms.push(performance.now() - t);
    }
    p.dispose();
    const med = ms.sort((a, b) => a - b)[ms.length >> 1];
    kernels.push({ name: c.name, label: c.label, ms: med, gflops: c.flops / med / 1e6, firstMs });
  }
  process.stdout.write(`${JSON.stringify({ engine: 'ours', device, backend: report.backend, kernelsName: report.kernels, adapter: report.adapter, kernels })}\n`);
}

await main();
