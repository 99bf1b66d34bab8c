import * as tf from '@tensorflow/tfjs-core';
import type { StateTensor } from '../StateDict';
import { Var } from '../autograd/Var';

/**
 * How a parameter's PyTorch layout maps to ours:
 * - 'conv'   Conv3d weight  OIDHW ↔ DHWIO
 * - 'convT'  ConvTranspose3d weight  I_t O_t DHW ↔ DHW O_t I_t (DHWIO of the adjoint conv)
 * - 'linear' Linear weight  [out, in] ↔ [in, out]
 * - 'vector' biases, BN affine parameters: unchanged
 */
export type ParamLayout = 'conv' | 'convT' | 'linear' | 'vector';

const TO_TORCH: Record<ParamLayout, number[] | null> = { conv: [4, 3, 0, 1, 2], convT: [4, 3, 0, 1, 2], linear: [1, 0], vector: null };
const FROM_TORCH: Record<ParamLayout, number[] | null> = { conv: [2, 3, 4, 1, 0], convT: [2, 3, 4, 1, 0], linear: [1, 0], vector: null };

export function torchToTfjs(t: tf.Tensor, layout: ParamLayout): tf.Tensor {
  const perm = FROM_TORCH[layout];
  return perm ? tf.transpose(t, perm) : t;
}

export function tfjsToTorch(t: tf.Tensor, layout: ParamLayout): tf.Tensor {
  const perm = TO_TORCH[layout];
  return perm ? tf.transpose(t, perm) : t;
}

/** A trainable tensor, stored in tfjs layout, exported in PyTorch layout. */
export class Param {
  private _var: Var;
  private _frozen = false;

  constructor(
    /** PyTorch shape (what state dicts hold). */
    readonly torchShape: readonly number[],
    readonly layout: ParamLayout,
    value: tf.Tensor,
  ) {
    this._var = new Var(tf.keep(value), true);
  }

  get value(): tf.Tensor {
    return this._var.value;
  }

  /** The autograd leaf the layers use; requires grad unless frozen. */
  get var(): Var {
    return this._var;
  }

  get frozen(): boolean {
    return this._frozen;
  }

  setFrozen(frozen: boolean): void {
    if (frozen === this._frozen) return;
    this._frozen = frozen;
    this._var = new Var(this._var.value, !frozen);
  }

  /** Replace the value (tfjs layout, same shape); the old tensor is disposed. */
  assign(value: tf.Tensor): void {
    if (value.shape.join(',') !== this._var.value.shape.join(',')) {
      throw new Error(`parameter shape [${value.shape.join(',')}] does not match [${this._var.value.shape.join(',')}]`);
    }
    const old = this._var.value;
    this._var = new Var(tf.keep(value), !this._frozen);
    if (old !== value) old.dispose();
  }

  toTorch(): StateTensor {
    const t = tf.tidy(() => tfjsToTorch(this.value, this.layout));
    const data = new Float32Array(t.dataSync());
    if (t !== this.value) t.dispose();
    return { dtype: 'float32', shape: [...this.torchShape], data };
  }

  loadTorch(st: StateTensor, key: string): void {
    if (st.shape.join(',') !== this.torchShape.join(',')) {
      throw new Error(`'${key}' has shape [${st.shape.join(',')}], the model expects [${this.torchShape.join(',')}]`);
    }
    this.assign(tf.tidy(() => torchToTfjs(tf.tensor(toFloat32(st, key), [...this.torchShape]), this.layout)));
  }

  dispose(): void {
    this._var.value.dispose();
  }
}

export function toFloat32(st: StateTensor, key: string): Float32Array {
  if (st.data instanceof Float32Array) return st.data;
  if (st.data instanceof BigInt64Array) throw new Error(`'${key}' holds integers (${st.dtype}), expected floating point`);
  if (st.dtype === 'float16') throw new Error(`'${key}' is float16: convert the checkpoint to float32 first`);
  return Float32Array.from(st.data as ArrayLike<number>);
}
