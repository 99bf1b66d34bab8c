import { globalAvgPool3d } from '../../nn/autograd/poolOps';
import type { Var } from '../../nn/autograd/Var';
import type { SeedSequence } from '../../nn/layers/init';
import { Linear } from '../../nn/layers/Linear';
import type { Head } from './Head';
import type { HeadKind } from './HeadKind';
import { classifierHeadShape } from './classifierHeadShape';

/** Nodule malignancy classifier: global average pool + `fc` (Linear). Output [N, classes]. */
export class ClassifierHead implements Head {
  readonly modules: [string, Linear][];
  private readonly fc: Linear;

  constructor(inChannels: number, classes: number, seeds: SeedSequence) {
    this.fc = new Linear(inChannels, classes, seeds);
    this.modules = [['fc', this.fc]];
  }

  forward(f: Var): Var {
    return this.fc.forward(globalAvgPool3d(f));
  }
}

export const classifierHeadKind: HeadKind<'classifier'> = {
  ...classifierHeadShape,
  build: (h, c) => new ClassifierHead(c.inChannels, h.classes, c.seeds),
};
