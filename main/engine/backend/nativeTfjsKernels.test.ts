import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from './nativeAddon';
import { installNativeTfjsKernels, uninstallNativeTfjsKernels } from './nativeTfjsKernels';

const native = loadNativeAddon();
if (!native.loaded) console.warn(`[skip] native tfjs kernels: ${native.error}`);

function vals(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const t = (shape: number[], seed: number): tf.Tensor => tf.tensor(vals(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Runs `f` with tfjs's own kernels and with the native ones; returns both results. */
function both(f: () => tf.Tensor): { ref: tf.Tensor; got: tf.Tensor } {
  uninstallNativeTfjsKernels();
  const ref = f();
  installNativeTfjsKernels(native.addon!);
  const got = f();
  return { ref, got };
}

function expectSame({ ref, got }: { ref: tf.Tensor; got: tf.Tensor }, tol = 0): void {
  expect(got.shape).toEqual(ref.shape);
  expect(got.dtype).toBe(ref.dtype);
  const a = got.dataSync();
  const b = ref.dataSync();
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i])) expect(Number.isNaN(a[i])).toBe(true);
    else worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

describe.skipIf(!native.loaded)('native tfjs cpu kernels agree with tfjs', () => {
  afterAll(() => uninstallNativeTfjsKernels());
  const big = [2, 6, 7, 8, 16];

  it.each([
    ['add same shape', () => tf.add(t(big, 1), t(big, 2))],
    ['sub scalar', () => tf.sub(t(big, 1), tf.scalar(0.25))],
    ['mul scalar first', () => tf.mul(tf.scalar(3), t(big, 3))],
    ['add per-channel (bias)', () => tf.add(t(big, 4), t([16], 5))],
    ['sub per-channel first', () => tf.sub(t([1, 1, 1, 1, 16], 6), t(big, 7))],
    ['mul general broadcast (falls back)', () => tf.mul(t(big, 8), t([2, 1, 1, 1, 16], 9))],
    ['int32 add (falls back)', () => tf.add(tf.ones(big, 'int32'), tf.ones(big, 'int32'))],
  ] as [string, () => tf.Tensor][])('%s', (_, f) => {
    expectSame(both(f));
  });

  it('relu and step (NaN propagates, alpha honoured)', () => {
    const x = t(big, 10);
    const d = x.dataSync() as Float32Array;
    d[3] = NaN;
    expectSame(both(() => tf.relu(x)));
    expectSame(both(() => tf.step(x, 0.5)));
  });

  it.each([
    ['all but channels', [0, 1, 2, 3], false],
    ['all but channels, keepDims', [0, 1, 2, 3], true],
    ['everything', undefined, false],
    ['everything, keepDims', undefined, true],
    ['one inner axis (falls back)', [2], false],
  ] as [string, number[] | undefined, boolean][])('sum over %s', (_, axis, keepDims) => {
    const x = t(big, 11);
    expectSame(both(() => tf.sum(x, axis, keepDims)), 1e-4);
  });

  it('really replaces the kernel while installed and restores tfjs on uninstall', () => {
    installNativeTfjsKernels(native.addon!);
    const mine = tf.getKernel('Add', 'cpu')!.kernelFunc;
    uninstallNativeTfjsKernels();
    expect(tf.getKernel('Add', 'cpu')!.kernelFunc).not.toBe(mine);
  });
});
