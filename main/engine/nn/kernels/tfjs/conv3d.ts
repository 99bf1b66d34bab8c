import * as tf from '@tensorflow/tfjs-core';
import type { Conv3dGeometry, Shape5D, Triple } from '../KernelProvider';
import { allOnes, anyPositive, convOutShape } from './geometry';
import { zeroInsert } from './zeroInsert';

/**
 * Conv3d forward and both gradients on plain tfjs ops, for any stride / dilation / explicit
 * symmetric pads (PyTorch semantics). tfjs's own conv3d supports dilation only with stride 1 and
 * its gradient kernels support no dilation at all, so the gradients are rewritten as forward
 * convolutions wherever tfjs refuses a geometry. Exact up to float32 summation order.
 */

function padSpatial(x: tf.Tensor5D, before: Triple, after: Triple = before): tf.Tensor5D {
  if (!anyPositive(before) && !anyPositive(after)) return x;
  return tf.pad(x, [
    [0, 0],
    [before[0], after[0]],
    [before[1], after[1]],
    [before[2], after[2]],
    [0, 0],
  ]);
}

/** DHWIO filter of the adjoint convolution: spatially flipped, in/out swapped. */
function adjointFilter(filter: tf.Tensor5D): tf.Tensor5D {
  return tf.transpose(tf.reverse(filter, [0, 1, 2]), [0, 1, 2, 4, 3]);
}

export function conv3d(x: tf.Tensor5D, filter: tf.Tensor5D, g: Conv3dGeometry): tf.Tensor5D {
  const outShape = convOutShape(x.shape, filter.shape, g);
  return tf.tidy(() => {
    const xp = padSpatial(x, g.pads);
    if (allOnes(g.strides) || allOnes(g.dilations)) {
      return tf.conv3d(xp, filter, g.strides, 'valid', 'NDHWC', g.dilations);
    }
    // tfjs refuses stride > 1 together with dilation > 1: dilated stride-1 conv, then subsample.
    const full = tf.conv3d(xp, filter, 1, 'valid', 'NDHWC', g.dilations);
    return tf.stridedSlice(full, [0, 0, 0, 0, 0], outShape.map((n, i) => (i >= 1 && i <= 3 ? (n - 1) * g.strides[i - 1] + 1 : n)), [
      1,
      ...g.strides,
      1,
    ]) as tf.Tensor5D;
  });
}

export function conv3dBackpropInput(dy: tf.Tensor5D, filter: tf.Tensor5D, xShape: Shape5D, g: Conv3dGeometry): tf.Tensor5D {
  return tf.tidy(() => {
    const [n, di, hi, wi, ci] = xShape;
    const padded: Shape5D = [n, di + 2 * g.pads[0], hi + 2 * g.pads[1], wi + 2 * g.pads[2], ci];
    let dxp: tf.Tensor5D;
    if (allOnes(g.dilations)) {
      // tfjs's own kernel handles strides (no dilation); run it on the padded grid, crop below.
      dxp = tf.engine().runKernel('Conv3DBackpropInputV2', { dy, filter }, {
        pad: 'valid',
        strides: g.strides,
        inputShape: padded,
      }) as tf.Tensor5D;
    } else {
      // Full correlation of the (zero-inserted) gradient with the flipped filter.
      const up = zeroInsert(dy, g.strides);
      const before: Triple = [0, 0, 0];
      const after: Triple = [0, 0, 0];
      for (let a = 0; a < 3; a++) {
        const ext = g.dilations[a] * (filter.shape[a] - 1);
        before[a] = ext;
        // Output length = up + before + after - ext must equal the padded input; the extra rows
        // on the far side are those the forward never read (remainder of the stride).
        after[a] = padded[a + 1] - up.shape[a + 1];
      }
      const upPad = padSpatial(up, before, after);
      dxp = tf.conv3d(upPad, adjointFilter(filter), 1, 'valid', 'NDHWC', g.dilations);
    }
    if (!anyPositive(g.pads)) return dxp;
    return tf.slice(dxp, [0, g.pads[0], g.pads[1], g.pads[2], 0], xShape);
  });
}

export function conv3dBackpropFilter(x: tf.Tensor5D, dy: tf.Tensor5D, filterShape: Shape5D, g: Conv3dGeometry): tf.Tensor5D {
  return tf.tidy(() => {
    const [kd, kh, kw, ci, co] = filterShape;
    const xp = padSpatial(x, g.pads);
    if (allOnes(g.strides) || allOnes(g.dilations)) {
      // dW[k, ci, co] = Σ_n,o xp[n, o·s + k·d, ci] · dy[n, o, co]: a conv with batch = ci,
      // channels = n, the gradient as filter, stride d and dilation s.
      const xt = tf.transpose(xp, [4, 1, 2, 3, 0]) as tf.Tensor5D;
      const dyt = tf.transpose(dy, [1, 2, 3, 0, 4]) as tf.Tensor5D;
      const r = tf.conv3d(xt, dyt, g.dilations, 'valid', 'NDHWC', g.strides);
      const cropped = tf.slice(r, [0, 0, 0, 0, 0], [ci, kd, kh, kw, co]);
      return tf.transpose(cropped, [1, 2, 3, 0, 4]) as tf.Tensor5D;
    }
    // Stride and dilation both > 1 (not in Med3D nets): one matmul per kernel offset.
    const [n, od, oh, ow] = dy.shape;
    const dy2 = tf.reshape(dy, [n * od * oh * ow, co]);
    const taps: tf.Tensor[] = [];
    for (let a = 0; a < kd; a++)
      for (let b = 0; b < kh; b++)
        for (let c = 0; c < kw; c++) {
          const begin = [0, a * g.dilations[0], b * g.dilations[1], c * g.dilations[2], 0];
          const end = [n, begin[1] + (od - 1) * g.strides[0] + 1, begin[2] + (oh - 1) * g.strides[1] + 1, begin[3] + (ow - 1) * g.strides[2] + 1, ci];
          const xs = tf.stridedSlice(xp, begin, end, [1, ...g.strides, 1]);
          taps.push(tf.matMul(tf.reshape(xs, [n * od * oh * ow, ci]), dy2, true, false));
        }
    return tf.reshape(tf.stack(taps), filterShape) as tf.Tensor5D;
  });
}
