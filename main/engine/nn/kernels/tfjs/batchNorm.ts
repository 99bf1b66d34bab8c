import * as tf from '@tensorflow/tfjs-core';
import type { BatchNormStats } from '../KernelProvider';

/** BatchNorm3d over N, D, H, W of an NDHWC tensor, PyTorch semantics (biased variance to normalise). */
const AXES = [0, 1, 2, 3];

export function batchNormTrain(x: tf.Tensor5D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, relu: boolean): BatchNormStats {
  return tf.tidy(() => {
    const mean = tf.mean(x, AXES) as tf.Tensor1D;
    const centered = tf.sub(x, mean);
    // Two-pass variance: the one-pass E[x²]-E[x]² loses digits on un-normalised inputs.
    const variance = tf.mean(tf.square(centered), AXES) as tf.Tensor1D;
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, eps)));
    let y = tf.add(tf.mul(centered, scale), beta) as tf.Tensor5D;
    if (relu) y = tf.relu(y);
    return { y, mean, variance };
  });
}

export function batchNormInference(
  x: tf.Tensor5D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
  relu: boolean,
): tf.Tensor5D {
  return tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, eps)));
    const shift = tf.sub(beta, tf.mul(mean, scale));
    const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor5D;
    return relu ? tf.relu(y) : y;
  });
}

export function batchNormBackward(
  dy: tf.Tensor5D,
  x: tf.Tensor5D,
  gamma: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
  y: tf.Tensor5D | null,
): { dx: tf.Tensor5D; dgamma: tf.Tensor1D; dbeta: tf.Tensor1D } {
  return tf.tidy(() => {
    const count = x.size / x.shape[4];
    const g = y ? tf.mul(dy, tf.step(y)) : dy;
    const invstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), invstd);
    const dbeta = tf.sum(g, AXES) as tf.Tensor1D;
    const dgamma = tf.sum(tf.mul(g, xhat), AXES) as tf.Tensor1D;
    // dx = γ/σ · (g − mean(g) − x̂ · mean(g·x̂))
    const inner = tf.sub(tf.sub(g, tf.div(dbeta, count)), tf.mul(xhat, tf.div(dgamma, count)));
    const dx = tf.mul(inner, tf.mul(gamma, invstd)) as tf.Tensor5D;
    return { dx, dgamma, dbeta };
  });
}
