import { concatChannels, resizeTrilinear } from '../../nn/autograd/basicOps';
import type { Var } from '../../nn/autograd/Var';
import { BatchNorm3d } from '../../nn/layers/BatchNorm3d';
import { Conv3d } from '../../nn/layers/Conv3d';
import { convBn } from '../../nn/layers/convBn';
import { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { denseAsppHeadShape } from './denseAsppHeadShape';

/**
 * 3D DenseASPP (Yang et al., CVPR 2018) on the Med3D encoder, the liver fine stage: a stack of
 * atrous blocks, each seeing the concatenation of the features and every earlier block's
 * output (dense connections), then conv 1³ to the classes and trilinear upsampling to the input.
 * Block i: conv1 1³ (→ 2·growth) + bn1 + ReLU, conv2 3³ dilation rates[i] (→ growth) + bn2 + ReLU
 * (post-activation, matching the encoder's layer4 output which is already activated).
 * Names: aspp.<i>.conv1 / bn1 / conv2 / bn2, aspp_seg (1³, bias).
 */
export class DenseAsppHead implements Head {
  readonly modules: [string, Group | Conv3d][];
  private readonly blocks: { conv1: Conv3d; bn1: BatchNorm3d; conv2: Conv3d; bn2: BatchNorm3d }[] = [];
  private readonly out: Conv3d;

  constructor(inChannels: number, growth: number, rates: readonly number[], classes: number, seeds: SeedSequence, eps: number, momentum: number) {
    const g = new Group();
    let c = inChannels;
    rates.forEach((r, i) => {
      const b = g.add(i, new Group());
      this.blocks.push({
        conv1: b.add('conv1', new Conv3d(c, 2 * growth, { kernel: 1 }, seeds)),
        bn1: b.add('bn1', new BatchNorm3d(2 * growth, eps, momentum)),
        conv2: b.add('conv2', new Conv3d(2 * growth, growth, { kernel: 3, padding: r, dilation: r }, seeds)),
        bn2: b.add('bn2', new BatchNorm3d(growth, eps, momentum)),
      });
      c += growth;
    });
    this.out = new Conv3d(c, classes, { kernel: 1, bias: true }, seeds);
    this.modules = [
      ['aspp', g],
      ['aspp_seg', this.out],
    ];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    const feats: Var[] = [f];
    for (const b of this.blocks) {
      const x = feats.length === 1 ? f : concatChannels(feats);
      const h = convBn(b.conv1, b.bn1, x, ctx, true);
      feats.push(convBn(b.conv2, b.bn2, h, ctx, true));
    }
    return resizeTrilinear(this.out.forward(concatChannels(feats)), ctx.inputSize);
  }
}

/** `dense-aspp`: the liver fine stage on its own. */
export const denseAsppHeadKind: HeadKind<'dense-aspp'> = {
  ...denseAsppHeadShape,
  build: (h, c) => new DenseAsppHead(c.inChannels, h.growth, h.rates, h.classes, c.seeds, c.eps, c.momentum),
};
