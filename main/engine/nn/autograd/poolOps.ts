import * as tf from '@tensorflow/tfjs-core';
import type { Pool3dGeometry } from '../kernels/KernelProvider';
import { getKernels } from '../kernels/registry';
import { op, type Var } from './Var';

export function maxPool3d(x: Var, g: Pool3dGeometry): Var {
  const K = getKernels();
  const xv = x.value as tf.Tensor5D;
  const y = K.maxPool3d(xv, g);
  return op(y, [x], (dy) => [K.maxPool3dBackward(dy as tf.Tensor5D, xv, y, g)]);
}

/** Mean over D, H, W: [N, D, H, W, C] → [N, C]. */
export function globalAvgPool3d(x: Var): Var {
  const [n, d, h, w, c] = x.shape;
  const y = tf.mean(x.value, [1, 2, 3]);
  return op(y, [x], (dy) => [tf.tidy(() => tf.mul(tf.broadcastTo(tf.reshape(dy, [n, 1, 1, 1, c]), [n, d, h, w, c]), 1 / (d * h * w)))]);
}
