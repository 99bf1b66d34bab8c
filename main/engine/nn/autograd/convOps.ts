import * as tf from '@tensorflow/tfjs-core';
import type { Conv3dGeometry, Shape5D, Triple } from '../kernels/KernelProvider';
import { getKernels } from '../kernels/registry';
import { op, type Var } from './Var';

/** Differentiable Conv3d (NDHWC input, DHWIO filter); both gradients go through the provider. */
export function conv3d(x: Var, w: Var, g: Conv3dGeometry): Var {
  const K = getKernels();
  const xv = x.value as tf.Tensor5D;
  const wv = w.value as tf.Tensor5D;
  const y = K.conv3d(xv, wv, g);
  return op(y, [x, w], (dy) => [
    x.requiresGrad ? K.conv3dBackpropInput(dy as tf.Tensor5D, wv, xv.shape as Shape5D, g) : null,
    w.requiresGrad ? K.conv3dBackpropFilter(xv, dy as tf.Tensor5D, wv.shape as Shape5D, g) : null,
  ]);
}

/**
 * ConvTranspose3d as the adjoint of a conv: `w` is the DHWIO filter of the conv that maps the
 * transpose's output (I = out channels) to its input (O = in channels). Output size per axis:
 * (n-1)·s − 2p + d(k−1) + outputPadding + 1, as in PyTorch.
 */
export function convTranspose3d(x: Var, w: Var, g: Conv3dGeometry, outputPadding: Triple = [0, 0, 0]): Var {
  const K = getKernels();
  const xv = x.value as tf.Tensor5D;
  const wv = w.value as tf.Tensor5D;
  const outShape: Shape5D = [
    xv.shape[0],
    ...([0, 1, 2].map((a) => (xv.shape[a + 1] - 1) * g.strides[a] - 2 * g.pads[a] + g.dilations[a] * (wv.shape[a] - 1) + outputPadding[a] + 1) as Triple),
    wv.shape[3],
  ];
  const y = K.conv3dBackpropInput(xv, wv, outShape, g);
  return op(y, [x, w], (dy) => [
    x.requiresGrad ? K.conv3d(dy as tf.Tensor5D, wv, g) : null,
    w.requiresGrad ? K.conv3dBackpropFilter(dy as tf.Tensor5D, xv, wv.shape as Shape5D, g) : null,
  ]);
}
