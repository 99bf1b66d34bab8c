import type { HeadShape } from './HeadKind';
import { requirePositiveInts } from './headFields';
import { indexedGroups, keysWithPrefix, shapeOf } from './stateDictKeys';

/** `multi-domain`: branches.<i>, one 1x1x1 conv per pretraining dataset. */
export const multiDomainHeadShape: HeadShape<'multi-domain'> = {
  kind: 'multi-domain',
  validate: (h) => requirePositiveInts(h, 'classesPerDomain', 'at least one domain'),
  recognize(sd) {
    const n = indexedGroups(sd, 'branches.');
    if (!n) return undefined;
    const classes = Array.from({ length: n }, (_, i) => shapeOf(sd, `branches.${i}.weight`)?.[0]);
    if (classes.some((c) => c === undefined)) return undefined;
    return { head: { kind: 'multi-domain', classesPerDomain: classes as number[] }, keys: keysWithPrefix(sd, 'branches.') };
  },
};
