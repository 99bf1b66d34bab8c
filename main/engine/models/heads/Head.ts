import type { Triple } from '../../nn/kernels/KernelProvider';
import type { Var } from '../../nn/autograd/Var';
import type { ForwardCtx } from '../../nn/layers/Module';
import type { Module } from '../../nn/layers/Module';

export interface HeadForwardCtx extends ForwardCtx {
  /** Spatial size (D, H, W) of the network input, for heads that upsample back to it. */
  inputSize: Triple;
  /** Multi-domain model: which dataset's branch to run. */
  domain?: number;
}

/** A task head on top of the encoder's layer4 features. */
export interface Head {
  /** Modules to register on the model root, with their top-level names. */
  readonly modules: readonly [string, Module][];
  /** NDHWC logits (segmentation) or [N, classes] (classification). */
  forward(features: Var, ctx: HeadForwardCtx): Var;
}
