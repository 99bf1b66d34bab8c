import { resizeTrilinear } from '../../nn/autograd/basicOps';
import type { Var } from '../../nn/autograd/Var';
import { Conv3d } from '../../nn/layers/Conv3d';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { requirePositiveInt } from './headFields';
import { keysWithPrefix, shapeOf } from './stateDictKeys';

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

/** `liver-coarse`: coarse_seg 1³ conv (classes, in, 1,1,1) + bias. */
export const liverCoarseHeadKind: HeadKind<'liver-coarse'> = {
  kind: 'liver-coarse',
  validate: (h) => requirePositiveInt(h, 'classes'),
  build: (h, c) => new UpsampledConvHead(c.inChannels, h.classes, c.seeds),
  recognize(sd) {
    const w = shapeOf(sd, 'coarse_seg.weight');
    if (!w || w.length !== 5) return undefined;
    return { head: { kind: 'liver-coarse', classes: w[0]! }, keys: keysWithPrefix(sd, 'coarse_seg.') };
  },
};
