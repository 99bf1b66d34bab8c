import type { Var } from '../../nn/autograd/Var';
import { BatchNorm3d } from '../../nn/layers/BatchNorm3d';
import { Conv3d } from '../../nn/layers/Conv3d';
import { convBn } from '../../nn/layers/convBn';
import { ConvTranspose3d } from '../../nn/layers/ConvTranspose3d';
import { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { medicalnetSegHeadShape } from './medicalnetSegHeadShape';

/**
 * MedicalNet's `conv_seg`: 0 ConvTranspose3d(k2, s2, bias) → 1 BN → 2 ReLU → 3 Conv3d 3³ p1 →
 * 4 BN → 5 ReLU → 6 Conv3d 1³ to classes (no bias). Output at 2× the feature resolution.
 */
export class MedicalNetSegHead implements Head {
  readonly modules: [string, Group][];
  private readonly up: ConvTranspose3d;
  private readonly bnUp: BatchNorm3d;
  private readonly conv: Conv3d;
  private readonly bn: BatchNorm3d;
  private readonly out: Conv3d;

  constructor(inChannels: number, hidden: number, classes: number, seeds: SeedSequence, eps: number, momentum: number) {
    const g = new Group();
    this.up = g.add(0, new ConvTranspose3d(inChannels, hidden, { kernel: 2, stride: 2 }, seeds));
    this.bnUp = g.add(1, new BatchNorm3d(hidden, eps, momentum));
    this.conv = g.add(3, new Conv3d(hidden, hidden, { kernel: 3, padding: 1 }, seeds));
    this.bn = g.add(4, new BatchNorm3d(hidden, eps, momentum));
    this.out = g.add(6, new Conv3d(hidden, classes, { kernel: 1 }, seeds));
    this.modules = [['conv_seg', g]];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    let h = this.bnUp.forward(this.up.forward(f), ctx, true);
    h = convBn(this.conv, this.bn, h, ctx, true);
    return this.out.forward(h);
  }
}

export const medicalnetSegHeadKind: HeadKind<'medicalnet-seg'> = {
  ...medicalnetSegHeadShape,
  build: (h, c) => new MedicalNetSegHead(c.inChannels, h.hidden, h.classes, c.seeds, c.eps, c.momentum),
};
