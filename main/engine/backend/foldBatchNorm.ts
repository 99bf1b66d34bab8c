import * as tf from '@tensorflow/tfjs-core';
import type { Conv3dGeometry } from '../nn/kernels/KernelProvider';
import { getKernels } from '../nn/kernels/registry';

/**
 * Inference-time folding of an eval-mode BatchNorm3d into the convolution before it, and the
 * fused conv + bias + residual + ReLU call that uses the result.
 *
 *   BN(conv(x, W)) = conv(x, W·s) + (b − μ)·s + β,   s = γ / sqrt(σ² + eps)   (per output channel)
 *
 * With DHWIO filters the output channel is the last axis, so the scale broadcasts with no
 * transpose. Exact up to float32 rounding (the fixtures' tolerances absorb it). Only valid with
 * running statistics (eval mode); training must keep the separate BN.
 */
export interface BatchNormParams {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  /** Running mean (eval statistics). */
  mean: tf.Tensor1D;
  /** Running (unbiased, as PyTorch stores it) variance. */
  variance: tf.Tensor1D;
  eps: number;
}

export interface FoldedConv {
  /** DHWIO filter with the BN scale folded into each output channel. */
  filter: tf.Tensor5D;
  /** Per-output-channel bias: the conv's own bias (if any) and BN's shift, folded. */
  bias: tf.Tensor1D;
}

/** Folds `bn` into a conv with DHWIO `filter` and optional `bias`. Returns new tensors; inputs untouched. */
export function foldBatchNorm(filter: tf.Tensor5D, bias: tf.Tensor1D | null, bn: BatchNormParams): FoldedConv {
  const co = filter.shape[4];
  for (const [name, t] of [['gamma', bn.gamma], ['beta', bn.beta], ['mean', bn.mean], ['variance', bn.variance], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== co)) {
      throw new Error(`foldBatchNorm: ${name} has shape [${t.shape.join(',')}], the conv has ${co} output channels`);
    }
  }
  return tf.tidy(() => {
    const scale = tf.div(bn.gamma, tf.sqrt(tf.add(bn.variance, bn.eps)));
    const folded = tf.mul(filter, scale) as tf.Tensor5D;
    const b0 = bias ?? tf.zerosLike(bn.mean);
    const shift = tf.add(tf.mul(tf.sub(b0, bn.mean), scale), bn.beta) as tf.Tensor1D;
    return { filter: folded, bias: shift };
  });
}

/**
 * y = act(conv(x, folded.filter) + folded.bias [+ residual]) through the active kernel provider's
 * fused kernel (oneDNN: one pass with post-ops), or the composed tfjs ops when it has none.
 */
export function convBiasAct(x: tf.Tensor5D, folded: FoldedConv, g: Conv3dGeometry, residual: tf.Tensor5D | null, relu: boolean): tf.Tensor5D {
  const K = getKernels();
  if (K.conv3dBiasAct) return K.conv3dBiasAct(x, folded.filter, folded.bias, g, residual, relu);
  return tf.tidy(() => {
    let y: tf.Tensor5D = tf.add(K.conv3d(x, folded.filter, g), folded.bias);
    if (residual) y = tf.add(y, residual);
    return relu ? tf.relu(y) : y;
  });
}

/**
 * Caches folded weights per (conv, BN) pair for repeated inference, keyed by the identity of the
 * parameter tensors: tfjs tensors are immutable, so a changed parameter is a new tensor and the
 * stale fold is dropped (and disposed) on the next lookup.
 */
export class FoldedConvCache {
  private readonly entries = new WeakMap<object, { ids: string; folded: FoldedConv }>();

  get(owner: object, filter: tf.Tensor5D, bias: tf.Tensor1D | null, bn: BatchNormParams): FoldedConv {
    const ids = [filter, bias, bn.gamma, bn.beta, bn.mean, bn.variance].map((t) => (t ? t.id : -1)).join(',') + `|${bn.eps}`;
    const hit = this.entries.get(owner);
    if (hit && hit.ids === ids && !hit.folded.filter.isDisposed) return hit.folded;
    if (hit) {
      hit.folded.filter.dispose();
      hit.folded.bias.dispose();
    }
    const folded = foldBatchNorm(filter, bias, bn);
    tf.keep(folded.filter);
    tf.keep(folded.bias);
    this.entries.set(owner, { ids, folded });
    return folded;
  }

  /** Disposes the folded tensors of `owner` (e.g. when a model is disposed). */
  release(owner: object): void {
    const hit = this.entries.get(owner);
    if (!hit) return;
    hit.folded.filter.dispose();
    hit.folded.bias.dispose();
    this.entries.delete(owner);
  }
}
