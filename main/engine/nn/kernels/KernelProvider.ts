import type { Tensor, Tensor1D, Tensor5D } from '@tensorflow/tfjs-core';

/**
 * The hot kernels of a Med3D network, behind one interface so each backend (plain tfjs JS
 * kernels, the oneDNN native addon, tfjs-node) can supply its own implementation while the
 * layers, autograd wiring and tests stay the same. Every provider must agree with the
 * reference provider within the fixture tolerances (one shared test suite runs against all).
 *
 * Layouts: activations NDHWC, conv filters DHWIO (tfjs), float32 throughout.
 * Padding is PyTorch-style explicit symmetric zero padding per spatial axis (MedicalNet's
 * numeric pads), never tfjs 'same', which differs on stride-2 layers.
 *
 * Methods return new tensors and never dispose their inputs.
 */
export type Triple = [number, number, number];
export type Shape5D = [number, number, number, number, number];

export interface Conv3dGeometry {
  strides: Triple;
  /** Zero padding added before AND after each of D, H, W (PyTorch Conv3d `padding`). */
  pads: Triple;
  dilations: Triple;
}

export interface Pool3dGeometry {
  kernel: Triple;
  strides: Triple;
  pads: Triple;
}

export interface BatchNormStats {
  /** Normalised output (after the optional fused ReLU). */
  y: Tensor5D;
  /** Per-channel batch mean over N, D, H, W. */
  mean: Tensor1D;
  /** Per-channel biased batch variance (divide by count), as PyTorch normalises with. */
  variance: Tensor1D;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step number after this update (for bias correction). */
  step: number;
  /** L2 penalty added to the gradient (PyTorch Adam weight_decay, not AdamW). */
  weightDecay: number;
}

export interface KernelProvider {
  /** Short identifier shown to the user: 'tfjs-cpu', 'onednn', 'tfjs-node', ... */
  readonly name: string;

  conv3d(x: Tensor5D, filter: Tensor5D, g: Conv3dGeometry): Tensor5D;
  /** Gradient w.r.t. the conv input; also the forward of ConvTranspose3d. */
  conv3dBackpropInput(dy: Tensor5D, filter: Tensor5D, xShape: Shape5D, g: Conv3dGeometry): Tensor5D;
  conv3dBackpropFilter(x: Tensor5D, dy: Tensor5D, filterShape: Shape5D, g: Conv3dGeometry): Tensor5D;

  /** Training-mode batch norm over N, D, H, W; `relu` fuses max(0, ·) on the output. */
  batchNormTrain(x: Tensor5D, gamma: Tensor1D, beta: Tensor1D, eps: number, relu: boolean): BatchNormStats;
  /** Inference-mode batch norm with running statistics; `relu` fuses max(0, ·). */
  batchNormInference(
    x: Tensor5D,
    gamma: Tensor1D,
    beta: Tensor1D,
    mean: Tensor1D,
    variance: Tensor1D,
    eps: number,
    relu: boolean,
  ): Tensor5D;
  /**
   * Backward of training-mode batch norm (+ fused ReLU when `y` is given: dy is masked where y <= 0).
   * mean/variance are the batch statistics returned by batchNormTrain.
   */
  batchNormBackward(
    dy: Tensor5D,
    x: Tensor5D,
    gamma: Tensor1D,
    mean: Tensor1D,
    variance: Tensor1D,
    eps: number,
    y: Tensor5D | null,
  ): { dx: Tensor5D; dgamma: Tensor1D; dbeta: Tensor1D };

  maxPool3d(x: Tensor5D, g: Pool3dGeometry): Tensor5D;
  maxPool3dBackward(dy: Tensor5D, x: Tensor5D, y: Tensor5D, g: Pool3dGeometry): Tensor5D;

  /** One Adam step; returns the new parameter and moments (inputs untouched). */
  adamUpdate(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): { param: Tensor; m: Tensor; v: Tensor };

  /**
   * Optional inference fusion: conv + per-channel bias + optional residual add + optional ReLU
   * (BN folded into the conv by the caller). Providers without it get the composed fallback.
   */
  conv3dBiasAct?(
    x: Tensor5D,
    filter: Tensor5D,
    bias: Tensor1D | null,
    g: Conv3dGeometry,
    residual: Tensor5D | null,
    relu: boolean,
  ): Tensor5D;
}
