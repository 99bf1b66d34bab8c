import * as tf from '@tensorflow/tfjs-core';
import type { Pool3dGeometry } from '../KernelProvider';

/**
 * Max pooling with PyTorch semantics: implicit -inf padding, floor rounding; the gradient goes
 * to the first maximum of each window (as in PyTorch).
 */
function uniformPad(g: Pool3dGeometry): number | null {
  return g.pads[0] === g.pads[1] && g.pads[1] === g.pads[2] ? g.pads[0] : null;
}

function padNegInf(x: tf.Tensor5D, g: Pool3dGeometry): tf.Tensor5D {
  const p = g.pads;
  return tf.pad(x, [[0, 0], [p[0], p[0]], [p[1], p[1]], [p[2], p[2]], [0, 0]], -Infinity);
}

export function maxPool3d(x: tf.Tensor5D, g: Pool3dGeometry): tf.Tensor5D {
  const p = uniformPad(g);
  if (p !== null) return tf.maxPool3d(x, g.kernel, g.strides, p);
  return tf.tidy(() => tf.maxPool3d(padNegInf(x, g), g.kernel, g.strides, 'valid'));
}

export function maxPool3dBackward(dy: tf.Tensor5D, x: tf.Tensor5D, y: tf.Tensor5D, g: Pool3dGeometry): tf.Tensor5D {
  const p = uniformPad(g);
  if (p !== null) {
    return tf.engine().runKernel('MaxPool3DGrad', { dy, input: x, output: y }, {
      filterSize: g.kernel,
      strides: g.strides,
      pad: p,
      dimRoundingMode: 'floor',
    }) as tf.Tensor5D;
  }
  return tf.tidy(() => {
    const xp = padNegInf(x, g);
    const dxp = tf.engine().runKernel('MaxPool3DGrad', { dy, input: xp, output: y }, {
      filterSize: g.kernel,
      strides: g.strides,
      pad: 'valid',
    }) as tf.Tensor5D;
    return tf.slice(dxp, [0, g.pads[0], g.pads[1], g.pads[2], 0], x.shape);
  });
}
