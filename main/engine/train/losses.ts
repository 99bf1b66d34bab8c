import * as tf from '@tensorflow/tfjs-core';
import { add } from '../nn/autograd/basicOps';
import { op, type Var } from '../nn/autograd/Var';

/**
 * Segmentation / classification losses as differentiable ops with hand-written gradients.
 * `logits`: NDHWC [N, D, H, W, C] or [N, C]; `labels`: int32 class indices of the same shape
 * without the channel axis.
 */
export interface CrossEntropyOptions {
  /** Label value whose voxels are excluded from the loss and its mean (PyTorch ignore_index; default none). */
  ignoreIndex?: number;
  /** Per-class weights (PyTorch `weight`): weighted mean over voxels, as PyTorch. */
  classWeights?: readonly number[];
}

function flatten(logits: Var, labels: tf.Tensor): { C: number; M: number } {
  const C = logits.shape[logits.shape.length - 1];
  const M = logits.value.size / C;
  const want = logits.shape.slice(0, -1);
  if (labels.shape.join(',') !== want.join(',')) {
    throw new Error(`labels shape [${labels.shape.join(',')}] does not match the logits' [${want.join(',')}] (without classes)`);
  }
  return { C, M };
}

/** Mean cross-entropy over the (non-ignored) voxels, PyTorch F.cross_entropy(reduction='mean'). */
export function crossEntropy(logits: Var, labels: tf.Tensor, opts: CrossEntropyOptions = {}): Var {
  const { C, M } = flatten(logits, labels);
  const { w, total } = targetsKept(labels, C, M, opts);
  const denom = total > 0 ? total : 1;
  const z = tf.reshape(logits.value, [M, C]);
  const logp = tf.logSoftmax(z);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(w, logp))), denom);
  return op(loss, [logits], (g) => [
    tf.tidy(() => {
      // d/dz of −Σ w·log softmax(z) = softmax(z)·Σ_c w − w
      const rowW = tf.sum(w, 1, true);
      const dz = tf.div(tf.sub(tf.mul(tf.exp(logp), rowW), w), denom);
      return tf.reshape(tf.mul(dz, g), logits.shape);
    }),
  ]);
}

function targetsKept(labels: tf.Tensor, C: number, M: number, opts: CrossEntropyOptions): { w: tf.Tensor2D; total: number } {
  // tf.tidy cannot return plain numbers; compute the total outside it.
  const flat = tf.tidy(() => tf.cast(tf.reshape(labels, [M]), 'int32'));
  const data = flat.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === opts.ignoreIndex) continue;
    if (v < 0 || v >= C || !Number.isInteger(v)) {
      flat.dispose();
      throw new Error(`label ${v} at voxel ${i} is outside [0, ${C}) and not the ignore index`);
    }
  }
  const w = tf.tidy(() => {
    const valid = opts.ignoreIndex === undefined ? tf.onesLike(flat) : tf.cast(tf.notEqual(flat, opts.ignoreIndex), 'int32');
    let oh = tf.mul(tf.oneHot(tf.mul(flat, valid) as tf.Tensor1D, C), tf.expandDims(tf.cast(valid, 'float32'), 1));
    if (opts.classWeights) {
      if (opts.classWeights.length !== C) throw new Error(`${opts.classWeights.length} class weights for ${C} classes`);
      oh = tf.mul(oh, tf.tensor1d([...opts.classWeights]));
    }
    return oh as tf.Tensor2D;
  });
  flat.dispose();
  const s = tf.sum(w);
  const total = s.dataSync()[0];
  s.dispose();
  return { w, total };
}

export interface SoftDiceOptions {
  ignoreIndex?: number;
  /** Added to numerator and denominator (default 1e-5). */
  smooth?: number;
  /** Include class 0 in the mean (default false: background Dice dominates otherwise). */
  includeBackground?: boolean;
}

/**
 * Soft Dice loss 1 − mean_c (2Σ p·q + s) / (Σ p + Σ q + s) over the whole batch, with p the
 * softmax probabilities and q the one-hot labels (ignored voxels excluded from both).
 */
export function softDice(logits: Var, labels: tf.Tensor, opts: SoftDiceOptions = {}): Var {
  const { C, M } = flatten(logits, labels);
  const s = opts.smooth ?? 1e-5;
  const first = opts.includeBackground ? 0 : 1;
  if (C - first < 1) throw new Error(`soft Dice needs at least ${first + 1} classes, logits have ${C}`);
  const { w: q } = targetsKept(labels, C, M, { ignoreIndex: opts.ignoreIndex });
  const nUsed = C - first;
  const classMask = tf.tensor1d(Array.from({ length: C }, (_, c) => (c >= first ? 1 : 0)));
  const valid = tf.sum(q, 1, true); // 1 for counted voxels, 0 for ignored
  const p = tf.mul(tf.softmax(tf.reshape(logits.value, [M, C])), valid);
  const inter = tf.sum(tf.mul(p, q), 0);
  const denom = tf.add(tf.add(tf.sum(p, 0), tf.sum(q, 0)), s);
  const dice = tf.div(tf.add(tf.mul(inter, 2), s), denom);
  const loss = tf.sub(1, tf.div(tf.sum(tf.mul(dice, classMask)), nUsed));
  return op(loss, [logits], (g) => [
    tf.tidy(() => {
      // d dice_c / d p = (2q·den − (2I + s)) / den²; loss = 1 − mean(dice)
      const num = tf.add(tf.mul(inter, 2), s);
      const dp = tf.mul(tf.div(tf.sub(tf.mul(tf.mul(q, 2), denom), num), tf.square(denom)), tf.div(classMask, -nUsed));
      // softmax backward (p already zero on ignored voxels)
      const dz = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), 1, true)));
      return tf.reshape(tf.mul(dz, g), logits.shape);
    }),
  ]);
}

/** Cross-entropy + soft Dice (the usual segmentation fine-tuning loss). */
export function diceCrossEntropy(logits: Var, labels: tf.Tensor, opts: CrossEntropyOptions & SoftDiceOptions = {}): Var {
  return add(crossEntropy(logits, labels, opts), softDice(logits, labels, opts));
}
