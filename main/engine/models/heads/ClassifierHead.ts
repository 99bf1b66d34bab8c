import { globalAvgPool3d } from '../../nn/autograd/poolOps';
import type { Var } from '../../nn/autograd/Var';
import type { SeedSequence } from '../../nn/layers/init';
import { Linear } from '../../nn/layers/Linear';
import type { Head } from './Head';
import type { HeadKind } from './HeadKind';
import { requirePositiveInt } from './headFields';
import { keysWithPrefix, shapeOf } from './stateDictKeys';

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

/** `classifier`: fc.weight [classes, features] (+ fc.bias). */
export const classifierHeadKind: HeadKind<'classifier'> = {
  kind: 'classifier',
  validate: (h) => requirePositiveInt(h, 'classes'),
  build: (h, c) => new ClassifierHead(c.inChannels, h.classes, c.seeds),
  recognize(sd) {
    const w = shapeOf(sd, 'fc.weight');
    if (!w || w.length !== 2) return undefined;
    return { head: { kind: 'classifier', classes: w[0]! }, keys: keysWithPrefix(sd, 'fc.') };
  },
};
