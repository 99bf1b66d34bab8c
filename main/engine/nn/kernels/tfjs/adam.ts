import * as tf from '@tensorflow/tfjs-core';
import type { AdamHyper } from '../KernelProvider';

/** torch.optim.Adam's update (L2 weight decay added to the gradient, amsgrad off). */
export function adamUpdate(
  param: tf.Tensor,
  grad: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  h: AdamHyper,
): { param: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  return tf.tidy(() => {
    const g = h.weightDecay !== 0 ? tf.add(grad, tf.mul(param, h.weightDecay)) : grad;
    const m2 = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1));
    const v2 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
    const bc1 = 1 - Math.pow(h.beta1, h.step);
    const bc2 = 1 - Math.pow(h.beta2, h.step);
    const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(bc2)), h.eps);
    const p2 = tf.sub(param, tf.mul(tf.div(m2, denom), h.lr / bc1));
    return { param: p2, m: m2, v: v2 };
  });
}
