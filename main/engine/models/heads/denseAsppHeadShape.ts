import type { StateDict } from '../../nn/StateDict';
import type { HeadShape } from './HeadKind';
import { requirePositiveInt, requirePositiveInts } from './headFields';
import { indexedGroups, keysWithPrefix, shapeOf } from './stateDictKeys';

/**
 * DenseASPP's dilation rates (Yang et al., CVPR 2018, §3: d = 3, 6, 12, 18, 24); the rates are
 * not stored in weights, so a .pth's n blocks get the first n of these, continued in steps of 6
 * past the paper's five (our checkpoints carry the exact rates in their metadata).
 */
const DENSE_ASPP_RATES = [3, 6, 12, 18, 24];

export function denseAsppRates(blocks: number): number[] {
  return Array.from({ length: blocks }, (_, i) => DENSE_ASPP_RATES[i] ?? DENSE_ASPP_RATES.at(-1)! + 6 * (i - DENSE_ASPP_RATES.length + 1));
}

export function validateDenseAspp(h: Readonly<Record<string, unknown>>): void {
  requirePositiveInt(h, 'classes');
  requirePositiveInt(h, 'growth');
  requirePositiveInts(h, 'rates', 'at least one dilation rate');
}

/** aspp.<i>.conv1/bn1/conv2/bn2 blocks + aspp_seg, as (classes, growth, rates) with the paper's rates. */
export function recognizeDenseAspp(sd: StateDict): { classes: number; growth: number; rates: number[]; keys: string[] } | undefined {
  const out = shapeOf(sd, 'aspp_seg.weight');
  const n = indexedGroups(sd, 'aspp.');
  const c2 = shapeOf(sd, 'aspp.0.conv2.weight');
  if (!out || !n || !c2) return undefined;
  return { classes: out[0]!, growth: c2[0]!, rates: denseAsppRates(n), keys: [...keysWithPrefix(sd, 'aspp.'), ...keysWithPrefix(sd, 'aspp_seg.')] };
}

/** `dense-aspp`: the liver fine stage on its own. */
export const denseAsppHeadShape: HeadShape<'dense-aspp'> = {
  kind: 'dense-aspp',
  validate: validateDenseAspp,
  recognize(sd) {
    const got = recognizeDenseAspp(sd);
    return got && { head: { kind: 'dense-aspp', classes: got.classes, growth: got.growth, rates: got.rates }, keys: got.keys };
  },
};
