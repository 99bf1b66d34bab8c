import * as tf from '@tensorflow/tfjs-core';

/**
 * Conversions between PyTorch's channels-first NCDHW arrays (files, fixtures, the CLI's raw
 * format) and the engine's NDHWC tensors.
 */
export function ncdhwToNdhwc(data: Float32Array, shape: readonly number[]): tf.Tensor5D {
  if (shape.length !== 5) throw new Error(`expected a 5-D NCDHW shape, got [${shape.join(',')}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`shape [${shape.join(',')}] needs ${n} values, got ${data.length}`);
  return tf.tidy(() => tf.transpose(tf.tensor5d(data, shape as [number, number, number, number, number]), [0, 2, 3, 4, 1]));
}

/** NDHWC (or [N, C]) tensor → channels-first C-order data and shape. */
export function toChannelsFirst(t: tf.Tensor): { data: Float32Array; shape: number[] } {
  if (t.rank === 2) return { data: new Float32Array(t.dataSync()), shape: t.shape.slice() };
  if (t.rank !== 5) throw new Error(`expected a 5-D NDHWC tensor, got rank ${t.rank}`);
  const c = tf.transpose(t, [0, 4, 1, 2, 3]);
  const data = new Float32Array(c.dataSync());
  const shape = c.shape.slice();
  c.dispose();
  return { data, shape };
}
