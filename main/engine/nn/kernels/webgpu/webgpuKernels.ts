import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Conv3dGeometry, KernelProvider, Shape5D } from '../KernelProvider';
import { convOutShape } from '../tfjs/geometry';
import type { PlanLimits } from './GpuPlan';
import type { WebGpuAdapterInfo } from './openGpuDevice';
import { inBatches } from './inBatches';
import { SyncGpuClient } from './SyncGpuClient';
import { adamPlan } from './wgsl/adam';
import { batchNormBackwardPlan, batchNormInferencePlan, batchNormTrainPlan } from './wgsl/batchNorm';
import { conv3dBackpropFilterPlan, conv3dBackpropInputPlan, conv3dPlan } from './wgsl/conv3d';
import { maxPool3dBackwardPlan, maxPool3dPlan } from './wgsl/maxPool3d';

/**
 * The 'webgpu' KernelProvider: every method runs our WGSL kernels (wgsl/) on the GPU thread.
 * Tensors stay on the tfjs cpu backend, so the stock tfjs ops the autograd uses between our
 * kernels (and every dataSync in the engine) behave exactly as on the CPU paths; only the
 * kernels' inputs and outputs cross to the GPU. Batch-separable kernels run in batch chunks
 * when a tensor would exceed the adapter's buffer limits (inBatches).
 */
export interface WebGpuKernelOptions {
  /** Refuse software (fallback) adapters such as SwiftShader; `--device auto` sets this. Default false. */
  rejectFallback?: boolean;
  /** Per-call timeout in ms (default 10 min). */
  timeoutMs?: number;
}

export interface WebGpuKernelProvider extends KernelProvider {
  readonly adapter: WebGpuAdapterInfo;
  readonly limits: Record<string, number>;
  /** Stops the GPU thread; the provider must not be used afterwards. */
  dispose(): void;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** Output floats per sample of a conv (for batch chunking). */
const outPerSample = (x: tf.Tensor, w: tf.Tensor, g: Conv3dGeometry): number => size(convOutShape(x.shape, w.shape, g)) / x.shape[0];
/** The float32 values of a cpu-backend tensor (no copy for float32 tensors). */
const values = (t: tf.Tensor): Float32Array => (t.dtype === 'float32' ? (t.dataSync() as Float32Array) : Float32Array.from(t.dataSync()));

export async function createWebGpuKernels(opts: WebGpuKernelOptions = {}): Promise<WebGpuKernelProvider> {
  const client = await SyncGpuClient.start({ timeoutMs: opts.timeoutMs });
  const { adapter, limits } = client.probe;
  if (!adapter) throw new Error('webgpu: the GPU thread reported no adapter');
  if (opts.rejectFallback && adapter.isFallback) {
    client.dispose();
    throw new Error(`webgpu: only a software adapter is available (${adapter.description || adapter.architecture}); not used for --device auto`);
  }
  const pl: PlanLimits = {
    maxStorageBufferBindingSize: Math.min(limits.maxStorageBufferBindingSize ?? 134217728, limits.maxBufferSize ?? Infinity),
    maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension ?? 65535,
  };
  const shape5 = (t: tf.Tensor): Shape5D => t.shape as Shape5D;

  return {
    name: 'webgpu',
    adapter,
    limits,
    dispose: () => client.dispose(),

    conv3d(x, filter, g) {
      return inBatches(pl.maxStorageBufferBindingSize, [x], outPerSample(x, filter, g), 'concat', ([xs]) => {
        const { plan, shape } = conv3dPlan(shape5(xs), shape5(filter), g, pl);
        const [y] = client.run(plan, [values(xs), values(filter)], [size(shape)]);
        return tf.tensor5d(y, shape);
      });
    },

    conv3dBiasAct(x, filter, bias, g, residual, relu) {
      const batched = residual ? [x, residual] : [x];
      return inBatches(pl.maxStorageBufferBindingSize, batched, outPerSample(x, filter, g), 'concat', ([xs, rs]) => {
        const { plan, shape } = conv3dPlan(shape5(xs), shape5(filter), g, pl, { bias: bias !== null, residual: residual !== null, relu });
        if (rs && rs.shape.some((v, a) => v !== shape[a])) throw new Error(`conv3dBiasAct: residual has shape ${rs.shape.join('x')} but the conv gives ${shape.join('x')}`);
        const inputs = [values(xs), values(filter)];
        if (bias) inputs.push(values(bias));
        if (rs) inputs.push(values(rs));
        const [y] = client.run(plan, inputs, [size(shape)]);
        return tf.tensor5d(y, shape);
      });
    },

    conv3dBackpropInput(dy, filter, xShape, g) {
      return inBatches(pl.maxStorageBufferBindingSize, [dy], size(xShape) / xShape[0], 'concat', ([dys]) => {
        const xs: Shape5D = [dys.shape[0], xShape[1], xShape[2], xShape[3], xShape[4]];
        const plan = conv3dBackpropInputPlan(shape5(dys), shape5(filter), xs, g, pl);
        const [dx] = client.run(plan, [values(dys), values(filter)], [size(xs)]);
        return tf.tensor5d(dx, xs);
      });
    },

    conv3dBackpropFilter(x, dy, filterShape, g) {
      return inBatches(pl.maxStorageBufferBindingSize, [x, dy], 0, 'sum', ([xs, dys]) => {
        const plan = conv3dBackpropFilterPlan(shape5(xs), shape5(dys), filterShape, g, pl);
        const [dw] = client.run(plan, [values(xs), values(dys)], [size(filterShape)]);
        return tf.tensor5d(dw, filterShape);
      });
    },

    batchNormTrain(x, gamma, beta, eps, relu) {
      const s = shape5(x);
      const C = s[4];
      const [y, mean, variance] = client.run(batchNormTrainPlan(s, eps, relu, pl), [values(x), values(gamma), values(beta)], [x.size, C, C]);
      return { y: tf.tensor5d(y, s), mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) };
    },

    batchNormInference(x, gamma, beta, mean, variance, eps, relu) {
      const s = shape5(x);
      const [y] = client.run(batchNormInferencePlan(s, eps, relu, pl), [values(x), values(gamma), values(beta), values(mean), values(variance)], [x.size]);
      return tf.tensor5d(y, s);
    },

    batchNormBackward(dy, x, gamma, mean, variance, eps, y) {
      const s = shape5(x);
      const C = s[4];
      const inputs = [values(dy), values(x), values(gamma), values(mean), values(variance)];
      if (y) inputs.push(values(y));
      const [dx, dgamma, dbeta] = client.run(batchNormBackwardPlan(s, eps, y !== null, pl), inputs, [x.size, C, C]);
      return { dx: tf.tensor5d(dx, s), dgamma: tf.tensor1d(dgamma), dbeta: tf.tensor1d(dbeta) };
    },

    maxPool3d(x, g) {
      return inBatches(pl.maxStorageBufferBindingSize, [x], 0, 'concat', ([xs]) => {
        const { plan, shape } = maxPool3dPlan(shape5(xs), g, pl);
        const [y] = client.run(plan, [values(xs)], [size(shape)]);
        return tf.tensor5d(y, shape);
      });
    },

    maxPool3dBackward(dy, x, _y, g) {
      // The window argmax is recomputed from x on the GPU (cheaper than shipping y).
      return inBatches(pl.maxStorageBufferBindingSize, [dy, x], 0, 'concat', ([dys, xs]) => {
        const [dx] = client.run(maxPool3dBackwardPlan(shape5(dys), shape5(xs), g, pl), [values(dys), values(xs)], [xs.size]);
        return tf.tensor5d(dx, shape5(xs));
      });
    },

    adamUpdate(param, grad, m, v, h) {
      for (const [name, t] of [['grad', grad], ['m', m], ['v', v]] as const) {
        if (t.size !== param.size) throw new Error(`adamUpdate: param has ${param.size} elements but ${name} has ${t.size}`);
      }
      const n = param.size;
      const [p2, m2, v2] = client.run(adamPlan(n, h, pl), [values(param), values(grad), values(m), values(v)], [n, n, n]);
      return { param: tf.tensor(p2, param.shape), m: tf.tensor(m2, param.shape), v: tf.tensor(v2, param.shape) };
    },
  };
}
