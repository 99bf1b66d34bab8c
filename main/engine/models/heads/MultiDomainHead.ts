import { resizeTrilinear } from '../../nn/autograd/basicOps';
import type { Var } from '../../nn/autograd/Var';
import { Conv3d } from '../../nn/layers/Conv3d';
import { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import type { Head, HeadForwardCtx } from './Head';
import type { HeadKind } from './HeadKind';
import { multiDomainHeadShape } from './multiDomainHeadShape';

/**
 * Med3D multi-domain pretraining: one light branch per dataset (conv 1³ + trilinear
 * upsampling to the input size). A forward runs only the requested domain's branch, so a batch
 * from dataset i trains the shared encoder and branch i and nothing else.
 * Names: branches.<i> (1³ conv with bias).
 */
export class MultiDomainHead implements Head {
  readonly modules: [string, Group][];
  private readonly branches: Conv3d[];

  constructor(inChannels: number, classesPerDomain: readonly number[], seeds: SeedSequence) {
    const g = new Group();
    this.branches = classesPerDomain.map((c, i) => g.add(i, new Conv3d(inChannels, c, { kernel: 1, bias: true }, seeds)));
    this.modules = [['branches', g]];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    const d = ctx.domain;
    if (d === undefined || !Number.isInteger(d) || d < 0 || d >= this.branches.length) {
      throw new Error(`multi-domain model: forward needs a domain in 0..${this.branches.length - 1}, got ${String(d)}`);
    }
    return resizeTrilinear(this.branches[d].forward(f), ctx.inputSize);
  }
}

export const multiDomainHeadKind: HeadKind<'multi-domain'> = {
  ...multiDomainHeadShape,
  build: (h, c) => new MultiDomainHead(c.inChannels, h.classesPerDomain, c.seeds),
};
