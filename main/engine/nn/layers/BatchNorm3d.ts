import * as tf from '@tensorflow/tfjs-core';
import type { StateTensor } from '../StateDict';
import { batchNormEval, batchNormTrain } from '../autograd/normOps';
import type { Var } from '../autograd/Var';
import { Module, type ForwardCtx, type StateEntry } from './Module';
import { Param, toFloat32 } from './Param';

/**
 * torch.nn.BatchNorm3d (affine, track_running_stats). In training mode it normalises with the
 * batch mean and biased variance and updates running_mean / running_var with `momentum` using
 * the unbiased variance, and num_batches_tracked += 1, exactly as PyTorch. `relu` fuses the
 * following ReLU (same result, one pass less).
 */
export class BatchNorm3d extends Module {
  readonly weight: Param;
  readonly bias: Param;
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
  numBatchesTracked = 0n;

  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.registerParam('weight', new Param([channels], 'vector', tf.ones([channels])));
    this.bias = this.registerParam('bias', new Param([channels], 'vector', tf.zeros([channels])));
    this.runningMean = tf.keep(tf.zeros([channels]));
    this.runningVar = tf.keep(tf.ones([channels]));
  }

  forward(x: Var, ctx: ForwardCtx, relu = false): Var {
    if (!ctx.training) return batchNormEval(x, this.weight.var, this.bias.var, this.runningMean, this.runningVar, this.eps, relu);
    const r = batchNormTrain(x, this.weight.var, this.bias.var, this.eps, relu);
    const count = x.value.size / this.channels;
    const m = this.momentum;
    const newMean = tf.keep(tf.tidy(() => tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(r.mean, m))));
    // PyTorch stores the unbiased variance (n / (n-1)) in running_var.
    const unbias = count > 1 ? count / (count - 1) : 1;
    const newVar = tf.keep(tf.tidy(() => tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(r.variance, m * unbias))));
    this.runningMean.dispose();
    this.runningVar.dispose();
    this.runningMean = newMean as tf.Tensor1D;
    this.runningVar = newVar as tf.Tensor1D;
    this.numBatchesTracked += 1n;
    return r.y;
  }

  protected override ownBuffers(): [string, StateEntry][] {
    const c = this.channels;
    const vec = (get: () => tf.Tensor1D, set: (t: tf.Tensor1D) => void): StateEntry => ({
      shape: [c],
      dtype: 'float32',
      kind: 'buffer',
      get: (): StateTensor => ({ dtype: 'float32', shape: [c], data: new Float32Array(get().dataSync()) }),
      set: (t, key) => {
        if (t.shape.join(',') !== String(c)) throw new Error(`'${key}' has shape [${t.shape.join(',')}], the model expects [${c}]`);
        const old = get();
        set(tf.keep(tf.tensor1d(toFloat32(t, key))));
        old.dispose();
      },
    });
    return [
      ['running_mean', vec(() => this.runningMean, (t) => (this.runningMean = t))],
      ['running_var', vec(() => this.runningVar, (t) => (this.runningVar = t))],
      [
        'num_batches_tracked',
        {
          shape: [],
          dtype: 'int64',
          kind: 'buffer',
          get: (): StateTensor => ({ dtype: 'int64', shape: [], data: BigInt64Array.of(this.numBatchesTracked) }),
          set: (t, key) => {
            if (t.shape.length !== 0 || t.data.length !== 1) throw new Error(`'${key}' should be a 0-dim integer, has shape [${t.shape.join(',')}]`);
            const v = t.data[0];
            this.numBatchesTracked = typeof v === 'bigint' ? v : BigInt(Math.round(v));
          },
        },
      ],
    ];
  }

  private disposers: (() => void)[] = [];

  /** Register cleanup of derived tensors (e.g. folded inference weights) for dispose(). */
  onDispose(fn: () => void): void {
    this.disposers.push(fn);
  }

  protected override disposeBuffers(): void {
    this.runningMean.dispose();
    this.runningVar.dispose();
    this.disposers.splice(0).forEach((f) => f());
  }
}
