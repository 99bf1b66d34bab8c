import type { HeadShape } from './HeadKind';
import { requirePositiveInt } from './headFields';
import { keysWithPrefix, shapeOf } from './stateDictKeys';

/** `medicalnet-seg`: MedicalNet's conv_seg (transposed conv … final conv at index 6). */
export const medicalnetSegHeadShape: HeadShape<'medicalnet-seg'> = {
  kind: 'medicalnet-seg',
  validate(h) {
    requirePositiveInt(h, 'classes');
    requirePositiveInt(h, 'hidden');
  },
  recognize(sd) {
    const t = shapeOf(sd, 'conv_seg.0.weight');
    const last = shapeOf(sd, 'conv_seg.6.weight');
    if (!t || !last || t.length !== 5 || last.length !== 5) return undefined;
    return { head: { kind: 'medicalnet-seg', classes: last[0]!, hidden: t[1]! }, keys: keysWithPrefix(sd, 'conv_seg.') };
  },
};
