import * as tf from '@tensorflow/tfjs-core';
import { getKernels } from '../kernels/registry';
import { op, type Var } from './Var';

/** Training-mode batch norm (+ optional fused ReLU). Returns the batch statistics for running-stat updates. */
export function batchNormTrain(
  x: Var,
  gamma: Var,
  beta: Var,
  eps: number,
  relu: boolean,
): { y: Var; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const K = getKernels();
  const xv = x.value as tf.Tensor5D;
  const r = K.batchNormTrain(xv, gamma.value as tf.Tensor1D, beta.value as tf.Tensor1D, eps, relu);
  const y = op(r.y, [x, gamma, beta], (dy) => {
    const b = K.batchNormBackward(dy as tf.Tensor5D, xv, gamma.value as tf.Tensor1D, r.mean, r.variance, eps, relu ? r.y : null);
    return [b.dx, b.dgamma, b.dbeta];
  });
  return { y, mean: r.mean, variance: r.variance };
}

/**
 * Inference-mode batch norm with running statistics; differentiable (frozen-statistics
 * fine-tuning): an affine map per channel.
 */
export function batchNormEval(x: Var, gamma: Var, beta: Var, mean: tf.Tensor1D, variance: tf.Tensor1D, eps: number, relu: boolean): Var {
  const K = getKernels();
  const xv = x.value as tf.Tensor5D;
  const y = K.batchNormInference(xv, gamma.value as tf.Tensor1D, beta.value as tf.Tensor1D, mean, variance, eps, relu);
  return op(y, [x, gamma, beta], (dy) =>
    tf.tidy(() => {
      const g = relu ? tf.mul(dy, tf.step(y)) : dy;
      const invstd = tf.rsqrt(tf.add(variance, eps));
      const xhat = tf.mul(tf.sub(xv, mean), invstd);
      return [tf.mul(g, tf.mul(gamma.value, invstd)), tf.sum(tf.mul(g, xhat), [0, 1, 2, 3]), tf.sum(g, [0, 1, 2, 3])];
    }),
  );
}
