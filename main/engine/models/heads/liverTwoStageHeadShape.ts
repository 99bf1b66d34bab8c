import type { HeadShape } from './HeadKind';
import { liverCoarseHeadShape } from './liverCoarseHeadShape';
import { recognizeDenseAspp, validateDenseAspp } from './denseAsppHeadShape';

/** `liver-two-stage`: coarse_seg and the DenseASPP (aspp + aspp_seg) on one encoder, with the same classes. */
export const liverTwoStageHeadShape: HeadShape<'liver-two-stage'> = {
  kind: 'liver-two-stage',
  validate: validateDenseAspp,
  recognize(sd) {
    const coarse = liverCoarseHeadShape.recognize(sd);
    const fine = recognizeDenseAspp(sd);
    if (!coarse || !fine || coarse.head.classes !== fine.classes) return undefined;
    return { head: { kind: 'liver-two-stage', classes: fine.classes, growth: fine.growth, rates: fine.rates }, keys: [...coarse.keys, ...fine.keys] };
  },
};
