import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../../backend/nativeAddon';
import type {
  AdamHyper,
  BatchNormStats,
  Conv3dGeometry,
  KernelProvider,
  Pool3dGeometry,
  Shape5D,
  Triple,
} from './KernelProvider';

/**
 * The 'onednn' KernelProvider: every hot kernel runs in the native oneDNN addon (native/).
 *
 * Tensors live on the tfjs 'cpu' backend, whose dataSync() hands back the backing
 * Float32Array itself and whose tensor() adopts a Float32Array without copying, so data
 * crosses into C++ with no copy and results are written straight into the buffers the new
 * tensors wrap. Inputs are never written to.
 */

function f32(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`onednn kernels need float32 tensors, got ${t.dtype} ${JSON.stringify(t.shape)}`);
  return t.dataSync() as Float32Array;
}

function shape5(t: tf.Tensor, what: string): Shape5D {
  if (t.rank !== 5) throw new Error(`onednn kernels: ${what} must be rank 5 (NDHWC), got shape ${JSON.stringify(t.shape)}`);
  return t.shape as Shape5D;
}

function outSize(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function convOut(x: Shape5D, f: Shape5D, g: Conv3dGeometry): Shape5D {
  const o: Shape5D = [x[0], 0, 0, 0, f[4]];
  for (let a = 0; a < 3; a++) {
    o[a + 1] = outSize(x[a + 1], f[a], g.strides[a], g.pads[a], g.dilations[a]);
    if (o[a + 1] < 1) {
      throw new Error(`conv3d: input ${x.slice(1, 4).join('x')} too small for kernel ${f.slice(0, 3).join('x')} (stride ${g.strides}, pad ${g.pads}, dilation ${g.dilations})`);
    }
  }
  if (x[4] !== f[3]) throw new Error(`conv3d: input has ${x[4]} channels but the filter expects ${f[3]}`);
  return o;
}

function poolOut(x: Shape5D, g: Pool3dGeometry): Shape5D {
  const o: Shape5D = [x[0], 0, 0, 0, x[4]];
  for (let a = 0; a < 3; a++) {
    o[a + 1] = outSize(x[a + 1], g.kernel[a], g.strides[a], g.pads[a], 1);
    if (o[a + 1] < 1) throw new Error(`maxPool3d: input ${x.slice(1, 4).join('x')} too small for kernel ${g.kernel}`);
  }
  return o;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const t3 = (t: Triple): Triple => [t[0], t[1], t[2]];

export function createOnednnKernels(addon: NativeAddon): KernelProvider {
  const conv3dBiasAct = (
    x: tf.Tensor5D,
    filter: tf.Tensor5D,
    bias: tf.Tensor1D | null,
    g: Conv3dGeometry,
    residual: tf.Tensor5D | null,
    relu: boolean,
  ): tf.Tensor5D => {
    const xs = shape5(x, 'x');
    const fs = shape5(filter, 'filter');
    const os = convOut(xs, fs, g);
    if (residual && residual.shape.join() !== os.join()) {
      throw new Error(`conv3dBiasAct: residual shape ${JSON.stringify(residual.shape)} != output shape ${JSON.stringify(os)}`);
    }
    const out = new Float32Array(size(os));
    addon.convForward(
      f32(x),
      xs,
      f32(filter),
      fs,
      bias ? f32(bias) : null,
      residual ? f32(residual) : null,
      relu,
      t3(g.strides),
      t3(g.pads),
      t3(g.dilations),
      out,
      os,
    );
    return tf.tensor5d(out, os);
  };

  return {
    name: 'onednn',

    conv3d(x, filter, g) {
      return conv3dBiasAct(x, filter, null, g, null, false);
    },

    conv3dBackpropInput(dy, filter, xShape, g) {
      const dys = shape5(dy, 'dy');
      const fs = shape5(filter, 'filter');
      const out = new Float32Array(size(xShape));
      addon.convBackwardData(f32(dy), dys, f32(filter), fs, out, [...xShape] as Shape5D, t3(g.strides), t3(g.pads), t3(g.dilations));
      return tf.tensor5d(out, [...xShape] as Shape5D);
    },

    conv3dBackpropFilter(x, dy, filterShape, g) {
      const out = new Float32Array(size(filterShape));
      addon.convBackwardWeights(
        f32(x),
        shape5(x, 'x'),
        f32(dy),
        shape5(dy, 'dy'),
        out,
        [...filterShape] as Shape5D,
        t3(g.strides),
        t3(g.pads),
        t3(g.dilations),
      );
      return tf.tensor5d(out, [...filterShape] as Shape5D);
    },

    batchNormTrain(x, gamma, beta, eps, relu): BatchNormStats {
      const xs = shape5(x, 'x');
      const c = xs[4];
      const y = new Float32Array(size(xs));
      const mean = new Float32Array(c);
      const variance = new Float32Array(c);
      addon.batchNormForward(f32(x), xs, f32(gamma), f32(beta), null, null, eps, relu, true, y, mean, variance);
      return { y: tf.tensor5d(y, xs), mean: tf.tensor1d(mean), variance: tf.tensor1d(variance) };
    },

    batchNormInference(x, gamma, beta, mean, variance, eps, relu) {
      const xs = shape5(x, 'x');
      const y = new Float32Array(size(xs));
      addon.batchNormForward(f32(x), xs, f32(gamma), f32(beta), f32(mean), f32(variance), eps, relu, false, y, null, null);
      return tf.tensor5d(y, xs);
    },

    batchNormBackward(dy, x, gamma, mean, variance, eps, y) {
      const xs = shape5(x, 'x');
      const c = xs[4];
      const dx = new Float32Array(size(xs));
      const dgamma = new Float32Array(c);
      const dbeta = new Float32Array(c);
      addon.batchNormBackward(f32(dy), f32(x), xs, f32(gamma), f32(mean), f32(variance), eps, y ? f32(y) : null, dx, dgamma, dbeta);
      return { dx: tf.tensor5d(dx, xs), dgamma: tf.tensor1d(dgamma), dbeta: tf.tensor1d(dbeta) };
    },

    maxPool3d(x, g) {
      const xs = shape5(x, 'x');
      const os = poolOut(xs, g);
      const out = new Float32Array(size(os));
      addon.maxPoolForward(f32(x), xs, out, os, t3(g.kernel), t3(g.strides), t3(g.pads));
      return tf.tensor5d(out, os);
    },

    maxPool3dBackward(dy, x, _y, g) {
      // `y` is not needed: the addon recomputes the argmax workspace from x (see native/src/pool.cc).
      const xs = shape5(x, 'x');
      const out = new Float32Array(size(xs));
      addon.maxPoolBackward(f32(dy), shape5(dy, 'dy'), f32(x), xs, t3(g.kernel), t3(g.strides), t3(g.pads), out);
      return tf.tensor5d(out, xs);
    },

    adamUpdate(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, h: AdamHyper) {
      const n = param.size;
      for (const [t, what] of [[grad, 'grad'], [m, 'm'], [v, 'v']] as const) {
        if (t.size !== n) throw new Error(`adamUpdate: ${what} has ${t.size} elements, param has ${n}`);
      }
      const p2 = new Float32Array(n);
      const m2 = new Float32Array(n);
      const v2 = new Float32Array(n);
      addon.adamUpdate(f32(param), f32(grad), f32(m), f32(v), h.lr, h.beta1, h.beta2, h.eps, h.step, h.weightDecay, p2, m2, v2);
      return { param: tf.tensor(p2, param.shape), m: tf.tensor(m2, param.shape), v: tf.tensor(v2, param.shape) };
    },

    conv3dBiasAct,
  };
}
