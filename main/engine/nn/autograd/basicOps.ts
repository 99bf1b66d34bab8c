import * as tf from '@tensorflow/tfjs-core';
import type { Triple } from '../kernels/KernelProvider';
import { zeroInsert } from '../kernels/tfjs/zeroInsert';
import { isGradEnabled, op, type Var } from './Var';

export function add(a: Var, b: Var): Var {
  return op(tf.add(a.value, b.value), [a, b], (g) => [g, g]);
}

export function relu(x: Var): Var {
  const y = tf.relu(x.value);
  return op(y, [x], (g) => [tf.mul(g, tf.step(y))]);
}

/** Add a per-channel bias (last axis). */
export function biasAdd(x: Var, b: Var): Var {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  return op(tf.add(x.value, b.value), [x, b], (g) => [g, tf.sum(g, axes)]);
}

/** Concatenate along the channel (last) axis. */
export function concatChannels(xs: Var[]): Var {
  const axis = xs[0].shape.length - 1;
  const sizes = xs.map((x) => x.shape[axis]);
  return op(tf.concat(xs.map((x) => x.value), axis), xs, (g) => tf.split(g, sizes, axis));
}

/** x [N, Cin] · w [Cin, Cout] (fully connected without bias). */
export function matMul(x: Var, w: Var): Var {
  return op(tf.matMul(x.value as tf.Tensor2D, w.value as tf.Tensor2D), [x, w], (g) => [
    x.requiresGrad ? tf.matMul(g as tf.Tensor2D, w.value as tf.Tensor2D, false, true) : null,
    w.requiresGrad ? tf.matMul(x.value as tf.Tensor2D, g as tf.Tensor2D, true, false) : null,
  ]);
}

/**
 * MedicalNet shortcut A (`downsample_basic_block`): avg_pool3d with kernel 1 and the stride —
 * i.e. voxels 0, s, 2s, ... — then zero channels appended after the existing ones.
 */
export function subsampleZeroPad(x: Var, stride: Triple, outChannels: number): Var {
  const xv = x.value as tf.Tensor5D;
  const [n, d, h, w, c] = xv.shape;
  const strided = stride.some((s) => s !== 1);
  const y = tf.tidy(() => {
    const sub = strided ? (tf.stridedSlice(xv, [0, 0, 0, 0, 0], [n, d, h, w, c], [1, ...stride, 1]) as tf.Tensor5D) : xv;
    return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [0, 0], [0, outChannels - c]]);
  });
  return op(y, [x], (g) => [
    tf.tidy(() => {
      const gs = tf.slice(g, [0, 0, 0, 0, 0], [...g.shape.slice(0, 4), c]) as tf.Tensor5D;
      if (!strided) return gs;
      const up = zeroInsert(gs, stride);
      return tf.pad(up, [[0, 0], [0, d - up.shape[1]], [0, h - up.shape[2]], [0, w - up.shape[3]], [0, 0]]);
    }),
  ]);
}

/**
 * Linear interpolation matrix [m, n] of PyTorch's F.interpolate(mode='trilinear',
 * align_corners=False) along one axis of length n resized to m.
 */
export function linearResizeMatrix(n: number, m: number): Float32Array {
  const a = new Float32Array(m * n);
  const scale = n / m;
  for (let i = 0; i < m; i++) {
    const src = Math.max(0, (i + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const l = src - i0;
    a[i * n + i0] += 1 - l;
    a[i * n + i1] += l;
  }
  return a;
}

/** Apply a [m, n] matrix along spatial axis `axis` (1..3) of an NDHWC tensor. */
function applyAlongAxis(x: tf.Tensor, mat: tf.Tensor2D, axis: number): tf.Tensor {
  return tf.tidy(() => {
    const perm = [axis, ...[0, 1, 2, 3, 4].filter((i) => i !== axis)];
    const t = tf.transpose(x, perm);
    const rest = t.shape.slice(1);
    const y = tf.matMul(mat, tf.reshape(t, [t.shape[0], -1]));
    const back = tf.reshape(y, [mat.shape[0], ...rest]);
    const inv = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(back, inv);
  });
}

/** Trilinear resize of an NDHWC tensor to `size` (D, H, W), PyTorch align_corners=False. */
export function resizeTrilinear(x: Var, size: Triple): Var {
  const inSize = x.shape.slice(1, 4);
  const mats = [0, 1, 2].map((a) =>
    inSize[a] === size[a] ? null : tf.tensor2d(linearResizeMatrix(inSize[a], size[a]), [size[a], inSize[a]]),
  );
  let y: tf.Tensor = x.value;
  mats.forEach((m, a) => {
    if (m) {
      const next = applyAlongAxis(y, m, a + 1);
      if (y !== x.value) y.dispose();
      y = next;
    }
  });
  if (y === x.value) y = tf.clone(y);
  if (!isGradEnabled() || !x.requiresGrad) {
    mats.forEach((m) => m?.dispose());
    return op(y, [], () => []);
  }
  return op(y, [x], (g) => [
    tf.tidy(() => {
      let d: tf.Tensor = g;
      mats.forEach((m, a) => {
        if (m) d = applyAlongAxis(d, tf.transpose(m) as tf.Tensor2D, a + 1);
      });
      return d === g ? tf.clone(g) : d;
    }),
  ]);
}
