import type { Var } from '../../nn/autograd/Var';
import { BatchNorm3d } from '../../nn/layers/BatchNorm3d';
import { Conv3d } from '../../nn/layers/Conv3d';
import { convBn } from '../../nn/layers/convBn';
import { ConvTranspose3d } from '../../nn/layers/ConvTranspose3d';
import { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { lungDecoderHeadShape } from './lungDecoderHeadShape';

/**
 * The paper's lung-segmentation decoder (Med3D §Transfer learning): three groups, each a
 * transposed conv 3³ stride 2 (×2 upsampling) and a conv 3³, then a conv 1³ to the classes.
 * Three ×2 groups undo the encoder's 8× downsampling. Deviation from the text (which gives the
 * first group 256 / 128 channels and doubles "progressively"): each group uses one width,
 * `channels[g]`, for both its layers, and every conv is followed by BN + ReLU as in MedicalNet's
 * conv_seg. Names: decoder.<g>.0 (ConvT), .1 (BN), .3 (conv), .4 (BN); decoder_out (1³, bias).
 */
export class LungDecoderHead implements Head {
  readonly modules: [string, Group | Conv3d][];
  private readonly groups: { up: ConvTranspose3d; bnUp: BatchNorm3d; conv: Conv3d; bn: BatchNorm3d }[] = [];
  private readonly out: Conv3d;

  constructor(inChannels: number, channels: readonly number[], classes: number, seeds: SeedSequence, eps: number, momentum: number) {
    const dec = new Group();
    let c = inChannels;
    channels.forEach((w, gi) => {
      const g = dec.add(gi, new Group());
      this.groups.push({
        up: g.add(0, new ConvTranspose3d(c, w, { kernel: 3, stride: 2, padding: 1, outputPadding: 1, bias: false }, seeds)),
        bnUp: g.add(1, new BatchNorm3d(w, eps, momentum)),
        conv: g.add(3, new Conv3d(w, w, { kernel: 3, padding: 1 }, seeds)),
        bn: g.add(4, new BatchNorm3d(w, eps, momentum)),
      });
      c = w;
    });
    this.out = new Conv3d(c, classes, { kernel: 1, bias: true }, seeds);
    this.modules = [
      ['decoder', dec],
      ['decoder_out', this.out],
    ];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    let h = f;
    for (const g of this.groups) {
      h = g.bnUp.forward(g.up.forward(h), ctx, true);
      h = convBn(g.conv, g.bn, h, ctx, true);
    }
    return this.out.forward(h);
  }
}

export const lungDecoderHeadKind: HeadKind<'lung-decoder'> = {
  ...lungDecoderHeadShape,
  build: (h, c) => new LungDecoderHead(c.inChannels, h.channels, h.classes, c.seeds, c.eps, c.momentum),
};
