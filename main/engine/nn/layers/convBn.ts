import * as tf from '@tensorflow/tfjs-core';
import { add, relu as reluOp } from '../autograd/basicOps';
import { isGradEnabled, Var } from '../autograd/Var';
import { getKernels } from '../kernels/registry';
import type { BatchNorm3d } from './BatchNorm3d';
import type { Conv3d } from './Conv3d';
import type { ForwardCtx } from './Module';

/**
 * conv → BatchNorm (→ + residual) (→ ReLU), the unit every MedicalNet block is made of.
 * Training or graph recording: the separate differentiable ops. Pure inference: BN is folded
 * into the conv (W·s, (b − μ)·s + β with s = γ/√(σ²+eps)) and the provider's fused
 * conv3dBiasAct runs conv + bias + residual + ReLU in one call where it has one. The folded
 * weights are cached per BN and rebuilt whenever a weight or statistic tensor is replaced.
 */
interface Folded {
  key: string;
  filter: tf.Tensor5D;
  bias: tf.Tensor1D;
}

const cache = new WeakMap<BatchNorm3d, Folded>();

function folded(conv: Conv3d, bn: BatchNorm3d): Folded {
  const key = [conv.weight.value.id, conv.bias?.value.id ?? -1, bn.weight.value.id, bn.bias.value.id, bn.runningMean.id, bn.runningVar.id].join(',');
  const hit = cache.get(bn);
  if (hit && hit.key === key && !hit.filter.isDisposed) return hit;
  if (hit) {
    hit.filter.dispose();
    hit.bias.dispose();
  }
  const [filter, bias] = tf.tidy(() => {
    const s = tf.mul(bn.weight.value, tf.rsqrt(tf.add(bn.runningVar, bn.eps)));
    const f = tf.mul(conv.weight.value, s) as tf.Tensor5D;
    const b0 = conv.bias ? tf.sub(conv.bias.value, bn.runningMean) : tf.neg(bn.runningMean);
    const b = tf.add(tf.mul(b0, s), bn.bias.value) as tf.Tensor1D;
    return [tf.keep(f), tf.keep(b)];
  });
  const f: Folded = { key, filter, bias };
  if (!hit) {
    bn.onDispose(() => {
      const c = cache.get(bn);
      c?.filter.dispose();
      c?.bias.dispose();
      cache.delete(bn);
    });
  }
  cache.set(bn, f);
  return f;
}

export function convBn(conv: Conv3d, bn: BatchNorm3d, x: Var, ctx: ForwardCtx, relu: boolean, residual: Var | null = null): Var {
  if (ctx.training || isGradEnabled()) {
    const y = bn.forward(conv.forward(x), ctx, relu && !residual);
    if (!residual) return y;
    const s = add(y, residual);
    return relu ? reluOp(s) : s;
  }
  const K = getKernels();
  const { filter, bias } = folded(conv, bn);
  const xv = x.value as tf.Tensor5D;
  const rv = (residual?.value ?? null) as tf.Tensor5D | null;
  if (K.conv3dBiasAct) return new Var(K.conv3dBiasAct(xv, filter, bias, conv.geometry, rv, relu));
  return new Var(
    tf.tidy(() => {
      let y: tf.Tensor5D = tf.add(K.conv3d(xv, filter, conv.geometry), bias);
      if (rv) y = tf.add(y, rv);
      return relu ? tf.relu(y) : y;
    }),
  );
}
