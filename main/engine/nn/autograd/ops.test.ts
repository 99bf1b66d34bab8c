import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { crossEntropy, softDice } from '../../train/losses';
import { add, biasAdd, concatChannels, linearResizeMatrix, matMul, relu, resizeTrilinear, subsampleZeroPad } from './basicOps';
import { conv3d, convTranspose3d } from './convOps';
import { batchNormEval, batchNormTrain } from './normOps';
import { globalAvgPool3d, maxPool3d } from './poolOps';
import { backward, op, Var, withGrad } from './Var';

/**
 * Every differentiable op's backward against a central finite difference of
 * L = Σ f(inputs) · R (R fixed random) along a random direction, in float32.
 */
function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), scale);
}

function checkGrad(shapes: number[][], f: (xs: Var[]) => Var, eps = 1e-2, tol = 2e-3): void {
  tf.tidy(() => {
    const xs = shapes.map((s, i) => seeded(s, 100 + i));
    const outShape = withGrad(false, () => f(xs.map((x) => new Var(x))).shape);
    const R = seeded(outShape, 7);
    const L = (vals: tf.Tensor[]): number => withGrad(false, () => tf.sum(tf.mul(f(vals.map((v) => new Var(v))).value, R)).dataSync()[0]);
    const vars = xs.map((x) => new Var(x, true));
    const grads = withGrad(true, () => {
      const y = f(vars);
      const loss = op(tf.sum(tf.mul(y.value, R)), [y], (g) => [tf.mul(R, g)]);
      return backward(loss);
    });
    vars.forEach((v, i) => {
      const dir = seeded(xs[i].shape, 300 + i);
      const plus = xs.map((x, j) => (j === i ? tf.add(x, tf.mul(dir, eps)) : x));
      const minus = xs.map((x, j) => (j === i ? tf.sub(x, tf.mul(dir, eps)) : x));
      const numeric = (L(plus) - L(minus)) / (2 * eps);
      const g = grads.get(v);
      expect(g, `gradient for input ${i}`).toBeDefined();
      const analytic = tf.sum(tf.mul(g!, dir)).dataSync()[0];
      expect(Math.abs(numeric - analytic), `input ${i}: numeric ${numeric} vs analytic ${analytic}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(numeric)));
    });
  });
}

describe('autograd ops: backward vs finite differences', () => {
  it('conv3d 3³ stride 2 pad 1 (x and w)', () => checkGrad([[1, 5, 6, 5, 2], [3, 3, 3, 2, 3]], ([x, w]) => conv3d(x, w, { strides: [2, 2, 2], pads: [1, 1, 1], dilations: [1, 1, 1] })));
  it('conv3d 3³ dilation 2 pad 2', () => checkGrad([[2, 5, 5, 6, 2], [3, 3, 3, 2, 2]], ([x, w]) => conv3d(x, w, { strides: [1, 1, 1], pads: [2, 2, 2], dilations: [2, 2, 2] })));
  it('convTranspose3d k2 s2 (MedicalNet conv_seg.0)', () => checkGrad([[1, 3, 2, 3, 4], [2, 2, 2, 3, 4]], ([x, w]) => convTranspose3d(x, w, { strides: [2, 2, 2], pads: [0, 0, 0], dilations: [1, 1, 1] })));
  it('convTranspose3d k3 s2 p1 output padding 1 (lung decoder)', () =>
    checkGrad([[1, 2, 3, 2, 3], [3, 3, 3, 2, 3]], ([x, w]) => convTranspose3d(x, w, { strides: [2, 2, 2], pads: [1, 1, 1], dilations: [1, 1, 1] }, [1, 1, 1])));
  it('convTranspose3d output size follows PyTorch', () => {
    withGrad(false, () => {
      const y = convTranspose3d(new Var(tf.ones([1, 2, 3, 4, 3])), new Var(tf.ones([3, 3, 3, 5, 3])), { strides: [2, 2, 2], pads: [1, 1, 1], dilations: [1, 1, 1] }, [1, 1, 1]);
      expect(y.shape).toEqual([1, 4, 6, 8, 5]);
    });
  });
  it('batch norm train + fused ReLU (x, gamma, beta)', () =>
    checkGrad([[2, 3, 2, 3, 3], [3], [3]], ([x, g, b]) => batchNormTrain(x, g, b, 1e-5, false).y, 1e-2, 5e-3));
  it('batch norm eval (x, gamma, beta)', () =>
    checkGrad([[1, 3, 2, 3, 3], [3], [3]], ([x, g, b]) => batchNormEval(x, g, b, tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([1.5, 0.5, 2]), 1e-5, false)));
  it('max pool 3³ s2 p1', () => checkGrad([[1, 5, 4, 5, 2]], ([x]) => maxPool3d(x, { kernel: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1] }), 1e-4, 5e-3));
  it('add, relu, bias', () => checkGrad([[2, 2, 3, 2, 3], [2, 2, 3, 2, 3], [3]], ([a, b, c]) => biasAdd(relu(add(a, b)), c), 1e-3));
  it('concat channels', () => checkGrad([[1, 2, 2, 2, 2], [1, 2, 2, 2, 3]], (xs) => concatChannels(xs)));
  it('global average pool + linear', () => checkGrad([[2, 2, 3, 2, 4], [4, 3]], ([x, w]) => matMul(globalAvgPool3d(x), w)));
  it('shortcut A: subsample stride 2 + zero channels', () => checkGrad([[1, 5, 4, 3, 2]], ([x]) => subsampleZeroPad(x, [2, 2, 2], 5)));
  it('trilinear resize (up and down)', () => checkGrad([[1, 3, 4, 2, 2]], ([x]) => resizeTrilinear(x, [7, 3, 5])));
  it('cross-entropy with ignore index', () => {
    const labels = tf.tensor([0, 1, 2, 255, 1, 0, 2, 2], [2, 2, 2, 1], 'int32');
    checkGrad([[2, 2, 2, 1, 3]], ([x]) => crossEntropy(x, labels, { ignoreIndex: 255 }), 1e-2, 2e-3);
  });
  it('soft Dice with ignore index', () => {
    const labels = tf.tensor([0, 1, 2, 255, 1, 0, 2, 2], [2, 2, 2, 1], 'int32');
    checkGrad([[2, 2, 2, 1, 3]], ([x]) => softDice(x, labels, { ignoreIndex: 255 }), 1e-2, 2e-3);
  });
});

describe('autograd values', () => {
  it('cross-entropy equals -mean log softmax at the label, ignoring ignore-index voxels', () => {
    const logits = tf.tensor([[1, 2, 0.5], [0, 0, 0], [3, -1, 2]]);
    const labels = tf.tensor1d([1, 2, -100], 'int32');
    const l = withGrad(false, () => crossEntropy(new Var(logits), labels, { ignoreIndex: -100 }).value.dataSync()[0]);
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    expect(l).toBeCloseTo(((lse([1, 2, 0.5]) - 2) + (lse([0, 0, 0]) - 0)) / 2, 5);
  });
  it('PyTorch trilinear (align_corners=False) interpolation weights', () => {
    // torch 1.13: F.interpolate(torch.arange(4.).view(1,1,4), size=6, mode='linear') → [0, 0.5, 1.1667, 1.8333, 2.5, 3]
    const m = linearResizeMatrix(4, 6);
    const y = [0, 1, 2, 3, 4, 5].map((i) => [0, 1, 2, 3].reduce((s, j) => s + m[i * 4 + j] * j, 0));
    [0, 0.5, 1.16667, 1.83333, 2.5, 3].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
  });
  it('a parameter reached twice accumulates both gradients', () => {
    const a = new Var(tf.tensor1d([1, 2]), true);
    const g = withGrad(true, () => backward(op(tf.sum(add(a, a).value), [add(a, a)], (d) => [tf.mul(tf.onesLike(a.value), d)]))).get(a)!;
    expect(Array.from(g.dataSync())).toEqual([2, 2]);
  });
});
