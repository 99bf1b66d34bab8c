import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import type { Conv3dGeometry, Shape5D } from '../KernelProvider';
import { createTfjsKernels } from '../tfjsKernels';
import { inBatches } from './inBatches';

const ref = createTfjsKernels();
const g: Conv3dGeometry = { strides: [2, 2, 2], pads: [1, 1, 1], dilations: [1, 1, 1] };
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('inBatches (chunking under the adapter binding limit)', () => {
  const x = tf.randomUniform([5, 6, 5, 4, 3], -1, 1, 'float32', 1) as tf.Tensor5D;
  const w = tf.randomUniform([3, 3, 3, 3, 4], -1, 1, 'float32', 2) as tf.Tensor5D;
  const perSample = (x.size / 5) * 4;
  const calls: number[] = [];
  const conv = (s: tf.Tensor[]): tf.Tensor5D => {
    calls.push(s[0].shape[0]);
    return ref.conv3d(s[0] as tf.Tensor5D, w, g);
  };

  it('one call when everything fits', () => {
    calls.length = 0;
    inBatches(1 << 20, [x], 0, 'concat', conv).dispose();
    expect(calls).toEqual([5]);
  });

  it('concatenated chunks equal the whole-batch conv (2 samples per chunk)', () => {
    calls.length = 0;
    const y = inBatches(2 * perSample, [x], 0, 'concat', conv);
    expect(calls).toEqual([2, 2, 1]);
    expect(maxDiff(y, ref.conv3d(x, w, g))).toBe(0);
  });

  it('summed chunks equal the whole-batch filter gradient', () => {
    const dy = tf.randomUniform([5, 3, 3, 2, 4], -1, 1, 'float32', 3) as tf.Tensor5D;
    const ws = w.shape as Shape5D;
    const dw = inBatches(perSample, [x, dy], 0, 'sum', (s) => ref.conv3dBackpropFilter(s[0] as tf.Tensor5D, s[1] as tf.Tensor5D, ws, g));
    expect(maxDiff(dw, ref.conv3dBackpropFilter(x, dy, ws, g))).toBeLessThan(1e-5);
  });
});
