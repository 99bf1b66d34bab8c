import type { AnyHeadShape } from './HeadKind';
import { classifierHeadShape } from './classifierHeadShape';
import { denseAsppHeadShape } from './denseAsppHeadShape';
import { liverCoarseHeadShape } from './liverCoarseHeadShape';
import { liverTwoStageHeadShape } from './liverTwoStageHeadShape';
import { lungDecoderHeadShape } from './lungDecoderHeadShape';
import { medicalnetSegHeadShape } from './medicalnetSegHeadShape';
import { multiDomainHeadShape } from './multiDomainHeadShape';

/** Head kinds as far as recognising and checking weights goes (no tensor library loaded): what inferArchitecture and validateModelSpec take. */
export interface HeadShapes {
  /** Every kind, in recognition order: the first whose keys a state dict has wins. */
  readonly kinds: readonly AnyHeadShape[];
}

/**
 * The engine's head kinds in recognition order: liver-two-stage claims coarse_seg + aspp keys
 * before liver-coarse or dense-aspp alone would. createHeadRegistry follows this order.
 */
export const BUILT_IN_SHAPES: readonly AnyHeadShape[] = [medicalnetSegHeadShape, lungDecoderHeadShape, classifierHeadShape, liverTwoStageHeadShape, liverCoarseHeadShape, denseAsppHeadShape, multiDomainHeadShape];

/** The built-in shapes, for code that reads weights without building a model (loadWeights, checkpoints). */
export function createHeadShapes(): HeadShapes {
  return { kinds: BUILT_IN_SHAPES };
}
