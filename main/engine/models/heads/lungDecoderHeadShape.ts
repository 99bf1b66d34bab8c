import type { HeadShape } from './HeadKind';
import { requirePositiveInt, requirePositiveInts } from './headFields';
import { indexedGroups, keysWithPrefix, shapeOf } from './stateDictKeys';

/** `lung-decoder`: decoder.0..2 groups (their first conv's input widths) + decoder_out. */
export const lungDecoderHeadShape: HeadShape<'lung-decoder'> = {
  kind: 'lung-decoder',
  validate(h) {
    requirePositiveInt(h, 'classes');
    requirePositiveInts(h, 'channels', '3 group widths', 3);
  },
  recognize(sd) {
    const out = shapeOf(sd, 'decoder_out.weight');
    if (!out || indexedGroups(sd, 'decoder.') !== 3) return undefined;
    const channels = [0, 1, 2].map((g) => shapeOf(sd, `decoder.${g}.0.weight`)?.[1]);
    if (channels.some((c) => c === undefined)) return undefined;
    return { head: { kind: 'lung-decoder', classes: out[0]!, channels: channels as [number, number, number] }, keys: [...keysWithPrefix(sd, 'decoder.'), ...keysWithPrefix(sd, 'decoder_out.')] };
  },
};
