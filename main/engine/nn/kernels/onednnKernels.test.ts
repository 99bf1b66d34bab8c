import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../backend/nativeAddon';
import type { Conv3dGeometry, KernelProvider, Shape5D } from './KernelProvider';
import { runKernelProviderSuite } from './kernelProviderSuite';
import { createOnednnKernels } from './onednnKernels';
import { createTfjsKernels } from './tfjsKernels';

const native = loadNativeAddon();
if (!native.loaded) console.warn(`[skip] onednn kernels: ${native.error} — ${native.howToEnable}`);
const make = (): KernelProvider => createOnednnKernels(native.addon!);

runKernelProviderSuite(make, { label: 'onednn (native addon)', skip: !native.loaded });

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / Math.max(m, 1e-12);
}

describe.skipIf(!native.loaded)('onednn kernels beyond the shared suite', () => {
  const ref = createTfjsKernels();
  const t5 = (s: Shape5D, seed: number): tf.Tensor5D => tf.tensor5d(values(s.reduce((a, b) => a * b, 1), seed), s);

  // 16+ channels make oneDNN pick blocked layouts (nCdhw16c / OIdhw16i16o): checks the reorders at the edges.
  it.each([
    { title: '3³ s1 p1 32→16', x: [1, 6, 7, 8, 32] as Shape5D, w: [3, 3, 3, 32, 16] as Shape5D, g: { strides: [1, 1, 1], pads: [1, 1, 1], dilations: [1, 1, 1] } },
    { title: '3³ s1 p2 d2 16→32', x: [2, 5, 6, 7, 16] as Shape5D, w: [3, 3, 3, 16, 32] as Shape5D, g: { strides: [1, 1, 1], pads: [2, 2, 2], dilations: [2, 2, 2] } },
    { title: '1³ s2 16→48', x: [1, 7, 6, 9, 16] as Shape5D, w: [1, 1, 1, 16, 48] as Shape5D, g: { strides: [2, 2, 2], pads: [0, 0, 0], dilations: [1, 1, 1] } },
  ] as { title: string; x: Shape5D; w: Shape5D; g: Conv3dGeometry }[])('blocked-layout conv $title: fwd, bwd-data, bwd-filter match tfjs', ({ x, w, g }) => {
    const nk = make();
    tf.tidy(() => {
      const xt = t5(x, 1);
      const wt = t5(w, 2);
      const y = nk.conv3d(xt, wt, g);
      expect(maxRelDiff(y, ref.conv3d(xt, wt, g))).toBeLessThan(1e-5);
      const dy = t5(y.shape as Shape5D, 3);
      expect(maxRelDiff(nk.conv3dBackpropInput(dy, wt, x, g), ref.conv3dBackpropInput(dy, wt, x, g))).toBeLessThan(1e-5);
      expect(maxRelDiff(nk.conv3dBackpropFilter(xt, dy, w, g), ref.conv3dBackpropFilter(xt, dy, w, g))).toBeLessThan(1e-5);
    });
  });

  it.each([
    { bias: true, residual: true, relu: true },
    { bias: true, residual: false, relu: true },
    { bias: false, residual: true, relu: false },
    { bias: false, residual: false, relu: false },
  ])('fused conv3dBiasAct (bias $bias, residual $residual, relu $relu) equals the composed ops', ({ bias, residual, relu }) => {
    const nk = make();
    tf.tidy(() => {
      const g: Conv3dGeometry = { strides: [2, 2, 2], pads: [1, 1, 1], dilations: [1, 1, 1] };
      const xt = t5([1, 7, 8, 9, 16], 4);
      const wt = t5([3, 3, 3, 16, 32], 5);
      const yShape: Shape5D = [1, 4, 4, 5, 32];
      const b = bias ? tf.tensor1d(values(32, 6)) : null;
      const r = residual ? t5(yShape, 7) : null;
      const got = nk.conv3dBiasAct!(xt, wt, b, g, r, relu);
      const want = ref.conv3dBiasAct!(xt, wt, b, g, r, relu);
      expect(got.shape).toEqual(yShape);
      expect(maxRelDiff(got, want)).toBeLessThan(1e-5);
      if (relu) expect(tf.min(got).dataSync()[0]).toBe(0);
    });
  });

  it('does not modify its inputs (tensors alias the native buffers)', () => {
    const nk = make();
    tf.tidy(() => {
      const xt = t5([1, 4, 4, 4, 8], 8);
      const before = Float32Array.from(xt.dataSync());
      const gamma = tf.ones([8]) as tf.Tensor1D;
      const beta = tf.zeros([8]) as tf.Tensor1D;
      const fwd = nk.batchNormTrain(xt, gamma, beta, 1e-5, true);
      const dy = t5([1, 4, 4, 4, 8], 9);
      const dyBefore = Float32Array.from(dy.dataSync());
      nk.batchNormBackward(dy, xt, gamma, fwd.mean, fwd.variance, 1e-5, fwd.y);
      expect(xt.dataSync()).toEqual(before);
      expect(dy.dataSync()).toEqual(dyBefore);
    });
  });

  it('reports shape mismatches as errors naming the shapes, without crashing the process', () => {
    const nk = make();
    tf.tidy(() => {
      const xt = t5([1, 4, 4, 4, 3], 10);
      const wt = t5([3, 3, 3, 5, 2], 11);
      expect(() => nk.conv3d(xt, wt, { strides: [1, 1, 1], pads: [1, 1, 1], dilations: [1, 1, 1] })).toThrow(/3 channels.*expects 5/);
      expect(() => nk.adamUpdate(tf.zeros([4]), tf.zeros([5]), tf.zeros([4]), tf.zeros([4]), { lr: 1, beta1: 0.9, beta2: 0.99, eps: 1e-8, step: 1, weightDecay: 0 })).toThrow(/grad has 5/);
    });
  });
});
