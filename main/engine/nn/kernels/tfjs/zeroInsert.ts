import * as tf from '@tensorflow/tfjs-core';
import type { Triple } from '../KernelProvider';

/** Insert (s-1) zeros between neighbouring voxels along each spatial axis: n → (n-1)s+1. */
export function zeroInsert(x: tf.Tensor5D, s: Triple): tf.Tensor5D {
  let y: tf.Tensor = x;
  for (let a = 0; a < 3; a++) {
    const st = s[a];
    if (st === 1) continue;
    const axis = a + 1;
    const shape = y.shape.slice();
    const n = shape[axis];
    const e = tf.expandDims(y, axis + 1);
    const zShape = e.shape.slice();
    zShape[axis + 1] = st - 1;
    const cat = tf.concat([e, tf.zeros(zShape)], axis + 1);
    const merged = shape.slice();
    merged[axis] = n * st;
    const r = tf.reshape(cat, merged);
    const size = merged.slice();
    size[axis] = (n - 1) * st + 1;
    y = tf.slice(r, new Array(5).fill(0), size);
  }
  return y as tf.Tensor5D;
}

