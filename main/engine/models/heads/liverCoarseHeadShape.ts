import type { HeadShape } from './HeadKind';
import { requirePositiveInt } from './headFields';
import { keysWithPrefix, shapeOf } from './stateDictKeys';

/** `liver-coarse`: coarse_seg, a 1x1x1 conv [classes, features, 1, 1, 1]. */
export const liverCoarseHeadShape: HeadShape<'liver-coarse'> = {
  kind: 'liver-coarse',
  validate: (h) => requirePositiveInt(h, 'classes'),
  recognize(sd) {
    const w = shapeOf(sd, 'coarse_seg.weight');
    if (!w || w.length !== 5) return undefined;
    return { head: { kind: 'liver-coarse', classes: w[0]! }, keys: keysWithPrefix(sd, 'coarse_seg.') };
  },
};
