import type { Conv3dGeometry, Triple } from '../kernels/KernelProvider';
import { biasAdd } from '../autograd/basicOps';
import { convTranspose3d } from '../autograd/convOps';
import type { Var } from '../autograd/Var';
import { triple } from './Conv3d';
import { kaimingNormalFanOut, type SeedSequence, uniformFanIn } from './init';
import { Module } from './Module';
import { Param } from './Param';

export interface ConvTranspose3dOptions {
  kernel: number | Triple;
  stride?: number | Triple;
  padding?: number | Triple;
  /** Extra size added on the far side of each axis (PyTorch `output_padding`), default 0. */
  outputPadding?: number | Triple;
  dilation?: number | Triple;
  /** Default true (as torch.nn.ConvTranspose3d). */
  bias?: boolean;
}

/** torch.nn.ConvTranspose3d (groups = 1). PyTorch weight [in, out, kD, kH, kW]; stored as the adjoint conv's DHWIO. */
export class ConvTranspose3d extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  readonly geometry: Conv3dGeometry;
  readonly outputPadding: Triple;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    opts: ConvTranspose3dOptions,
    seeds: SeedSequence,
  ) {
    super();
    const k = triple(opts.kernel, 1);
    this.geometry = { strides: triple(opts.stride, 1), pads: triple(opts.padding, 0), dilations: triple(opts.dilation, 1) };
    this.outputPadding = triple(opts.outputPadding, 0);
    const vol = k[0] * k[1] * k[2];
    this.weight = this.registerParam(
      'weight',
      new Param([inChannels, outChannels, ...k], 'convT', kaimingNormalFanOut([...k, outChannels, inChannels], outChannels * vol, seeds.next())),
    );
    this.bias =
      opts.bias === false
        ? null
        : this.registerParam('bias', new Param([outChannels], 'vector', uniformFanIn([outChannels], outChannels * vol, seeds.next())));
  }

  forward(x: Var): Var {
    const y = convTranspose3d(x, this.weight.var, this.geometry, this.outputPadding);
    return this.bias ? biasAdd(y, this.bias.var) : y;
  }
}
