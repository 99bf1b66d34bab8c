import type { Var } from '../../nn/autograd/Var';
import type { Conv3d } from '../../nn/layers/Conv3d';
import type { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import { DenseAsppHead } from './DenseAsppHead';
import type { Head, HeadForwardCtx } from './Head';
import { UpsampledConvHead } from './UpsampledConvHead';
import type { HeadKind } from './HeadKind';
import { liverTwoStageHeadShape } from './liverTwoStageHeadShape';

/** Branch indices of the two-stage liver head (passed as the forward's `domain`). */
export const LIVER_STAGE = { coarse: 0, fine: 1 } as const;

/**
 * Both stages of the paper's liver pipeline on one encoder, so that one checkpoint holds the
 * pair: branch 0 is the coarse stage (conv 1³ + trilinear upsampling, `coarse_seg`), branch 1
 * the fine stage (3D DenseASPP, `aspp.*` + `aspp_seg`). Deviation from the paper, which trains
 * two networks: the encoder is shared and the stages are trained interleaved, like Med3D's
 * multi-domain branches. Keys are exactly a liver-coarse model's plus a dense-aspp model's, so
 * each stage can also be split out as an ordinary single-head model.
 */
export class LiverTwoStageHead implements Head {
  readonly modules: [string, Group | Conv3d][];
  private readonly stages: Head[];

  constructor(inChannels: number, classes: number, growth: number, rates: readonly number[], seeds: SeedSequence, eps: number, momentum: number) {
    const coarse = new UpsampledConvHead(inChannels, classes, seeds);
    const fine = new DenseAsppHead(inChannels, growth, rates, classes, seeds, eps, momentum);
    this.stages = [coarse, fine];
    this.modules = [...coarse.modules, ...fine.modules];
  }

  forward(f: Var, ctx: HeadForwardCtx): Var {
    const d = ctx.domain;
    const stage = d === undefined ? undefined : this.stages[d];
    if (!stage) throw new Error(`two-stage liver model: forward needs a stage (${LIVER_STAGE.coarse} coarse, ${LIVER_STAGE.fine} fine), got ${String(d)}`);
    return stage.forward(f, ctx);
  }
}

/** `liver-two-stage`: a liver-coarse head's keys and a dense-aspp head's, with the same classes. */
export const liverTwoStageHeadKind: HeadKind<'liver-two-stage'> = {
  ...liverTwoStageHeadShape,
  build: (h, c) => new LiverTwoStageHead(c.inChannels, h.classes, h.growth, h.rates, c.seeds, c.eps, c.momentum),
};
