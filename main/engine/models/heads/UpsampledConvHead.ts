import { resizeTrilinear } from '../../nn/autograd/basicOps';
import type { Var } from '../../nn/autograd/Var';
import { Conv3d } from '../../nn/layers/Conv3d';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { liverCoarseHeadShape } from './liverCoarseHeadShape';

/**
 * Liver coarse stage (paper §LiTS): conv 1³ to the classes, then trilinear upsampling to the
 * input size (F.interpolate, align_corners=False). Registered as `name` (default 'coarse_seg').
 */
export class UpsampledConvHead implements Head {
  readonly modules: [string, Conv3d][];
  private readonly conv: Conv3d;

  constructor(inChannels: number, classes: number, seeds: SeedSequence, name = 'coarse_seg') {
    this.conv = new Conv3d(inChannels, classes, { kernel: 1, bias: true }, seeds);
    this.modules = [[name, this.conv]];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    return resizeTrilinear(this.conv.forward(f), ctx.inputSize);
  }
}

export const liverCoarseHeadKind: HeadKind<'liver-coarse'> = {
  ...liverCoarseHeadShape,
  build: (h, c) => new UpsampledConvHead(c.inChannels, h.classes, c.seeds),
};
