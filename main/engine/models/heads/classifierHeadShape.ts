import type { HeadShape } from './HeadKind';
import { requirePositiveInt } from './headFields';
import { keysWithPrefix, shapeOf } from './stateDictKeys';

/** `classifier`: fc.weight [classes, features] (+ fc.bias). */
export const classifierHeadShape: HeadShape<'classifier'> = {
  kind: 'classifier',
  validate: (h) => requirePositiveInt(h, 'classes'),
  recognize(sd) {
    const w = shapeOf(sd, 'fc.weight');
    if (!w || w.length !== 2) return undefined;
    return { head: { kind: 'classifier', classes: w[0]! }, keys: keysWithPrefix(sd, 'fc.') };
  },
};
