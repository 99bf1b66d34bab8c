import type { Conv3dGeometry, Triple } from '../kernels/KernelProvider';
import { biasAdd } from '../autograd/basicOps';
import { conv3d } from '../autograd/convOps';
import type { Var } from '../autograd/Var';
import { kaimingNormalFanOut, type SeedSequence, uniformFanIn } from './init';
import { Module } from './Module';
import { Param } from './Param';

export interface Conv3dOptions {
  /** Kernel size per axis (D, H, W). */
  kernel: number | Triple;
  /** Default 1. */
  stride?: number | Triple;
  /** Explicit symmetric zero padding (PyTorch `padding`), default 0. */
  padding?: number | Triple;
  /** Default 1. */
  dilation?: number | Triple;
  /** Default false (MedicalNet's convs have none). */
  bias?: boolean;
}

export const triple = (v: number | Triple | undefined, dflt: number): Triple =>
  v === undefined ? [dflt, dflt, dflt] : typeof v === 'number' ? [v, v, v] : v;

/** torch.nn.Conv3d (groups = 1). Weight stored DHWIO. */
export class Conv3d extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  readonly geometry: Conv3dGeometry;
  readonly kernel: Triple;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    opts: Conv3dOptions,
    seeds: SeedSequence,
  ) {
    super();
    const k = triple(opts.kernel, 1);
    this.kernel = k;
    this.geometry = { strides: triple(opts.stride, 1), pads: triple(opts.padding, 0), dilations: triple(opts.dilation, 1) };
    const vol = k[0] * k[1] * k[2];
    this.weight = this.registerParam(
      'weight',
      new Param([outChannels, inChannels, ...k], 'conv', kaimingNormalFanOut([...k, inChannels, outChannels], outChannels * vol, seeds.next())),
    );
    this.bias = opts.bias
      ? this.registerParam('bias', new Param([outChannels], 'vector', uniformFanIn([outChannels], inChannels * vol, seeds.next())))
      : null;
  }

  forward(x: Var): Var {
    const y = conv3d(x, this.weight.var, this.geometry);
    return this.bias ? biasAdd(y, this.bias.var) : y;
  }
}
