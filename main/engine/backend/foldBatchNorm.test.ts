import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import type { Conv3dGeometry, KernelProvider, Shape5D } from '../nn/kernels/KernelProvider';
import { createOnednnKernels } from '../nn/kernels/onednnKernels';
import { getKernels, setKernels } from '../nn/kernels/registry';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import { convBiasAct, FoldedConvCache, foldBatchNorm, type BatchNormParams } from './foldBatchNorm';
import { loadNativeAddon } from './nativeAddon';

function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / m;
}

const native = loadNativeAddon();
const providers: { name: string; make: () => KernelProvider }[] = [
  { name: 'tfjs-cpu', make: createTfjsKernels },
  ...(native.loaded ? [{ name: 'onednn', make: () => createOnednnKernels(native.addon!) }] : []),
];
if (!native.loaded) console.warn(`[skip] foldBatchNorm on onednn: ${native.error}`);
const previous = getKernels();
afterAll(() => setKernels(previous));

describe.each(providers)('BN folding + fused conv/bias/residual/ReLU on $name', ({ make }) => {
  const co = 6;
  const g: Conv3dGeometry = { strides: [2, 1, 2], pads: [1, 1, 1], dilations: [1, 1, 1] };
  const xs: Shape5D = [2, 5, 6, 7, 3];
  const mkBn = (): BatchNormParams => ({
    gamma: tf.tensor1d(values(co, 1, 0.5, 1.5)),
    beta: tf.tensor1d(values(co, 2)),
    mean: tf.tensor1d(values(co, 3)),
    variance: tf.tensor1d(values(co, 4, 0.2, 2)),
    eps: 1e-5,
  });

  it.each([
    { bias: false, residual: false, relu: true, title: 'conv → BN → ReLU' },
    { bias: true, residual: true, relu: true, title: 'conv(+bias) → BN → +residual → ReLU' },
    { bias: false, residual: true, relu: false, title: 'conv → BN → +residual' },
  ])('$title equals the unfolded eval-mode layers', ({ bias, residual, relu }) => {
    setKernels(make());
    const K = getKernels();
    tf.tidy(() => {
      const x = tf.tensor5d(values(xs.reduce((a, b) => a * b, 1), 5), xs);
      const w = tf.tensor5d(values(27 * 3 * co, 6), [3, 3, 3, 3, co]);
      const b = bias ? tf.tensor1d(values(co, 7)) : null;
      const bn = mkBn();
      let ref: tf.Tensor5D = K.conv3d(x, w, g);
      if (b) ref = tf.add(ref, b);
      ref = K.batchNormInference(ref, bn.gamma, bn.beta, bn.mean, bn.variance, bn.eps, false);
      const r = residual ? tf.tensor5d(values(ref.size, 8), ref.shape) : null;
      if (r) ref = tf.add(ref, r);
      if (relu) ref = tf.relu(ref);
      const folded = foldBatchNorm(w, b, bn);
      const got = convBiasAct(x, folded, g, r, relu);
      expect(maxRel(got, ref)).toBeLessThan(2e-6 * 27 * 3);
      // Inputs are untouched and the fold really changed the weights.
      expect(maxRel(folded.filter, w)).toBeGreaterThan(1e-3);
    });
  });

  it('the cache reuses a fold while parameters are unchanged and refolds when one is replaced', () => {
    setKernels(make());
    const cache = new FoldedConvCache();
    const owner = {};
    const w = tf.tensor5d(values(27 * 3 * co, 9), [3, 3, 3, 3, co]);
    const bn = mkBn();
    const a = cache.get(owner, w, null, bn);
    expect(cache.get(owner, w, null, bn)).toBe(a);
    const newGamma = tf.mul(bn.gamma, 2) as tf.Tensor1D;
    const b = cache.get(owner, w, null, { ...bn, gamma: newGamma });
    expect(b).not.toBe(a);
    expect(a.filter.isDisposed).toBe(true);
    expect(maxRel(tf.div(b.filter, 2), foldBatchNorm(w, null, bn).filter)).toBeLessThan(1e-6);
    cache.release(owner);
    expect(b.filter.isDisposed).toBe(true);
  });

  it('names the mismatching parameter', () => {
    const bn = { ...mkBn(), mean: tf.zeros([co + 1]) as tf.Tensor1D };
    expect(() => foldBatchNorm(tf.zeros([1, 1, 1, 2, co]) as tf.Tensor5D, null, bn)).toThrow(/mean has shape \[7\].*6 output channels/);
  });
});
