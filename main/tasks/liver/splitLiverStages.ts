import { buildModel } from '../../engine/models/buildModel';
import { isEncoderKey, type Med3dModel } from '../../engine/models/Med3dModel';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * The two stages of a 'liver-two-stage' model as ordinary single-head models (liver-coarse and
 * dense-aspp), each with the shared encoder's weights, so the inference pipeline (liverTask)
 * runs them like any pair of segmentation models.
 */
export function splitLiverStages(model: Med3dModel): { coarse: Med3dModel; fine: Med3dModel } {
  const { backbone, head } = model.spec;
  if (head.kind !== 'liver-two-stage') throw new Error(`not a two-stage liver model (head '${head.kind}')`);
  const sd = model.stateDict();
  const stage = (spec: ModelSpec, prefixes: string[]): Med3dModel => {
    const m = buildModel(createHeadRegistry(), spec);
    m.loadStateDict(new Map([...sd].filter(([k]) => isEncoderKey(k) || prefixes.some((p) => k.startsWith(p)))));
    return m;
  };
  return {
    coarse: stage({ backbone, head: { kind: 'liver-coarse', classes: head.classes } }, ['coarse_seg.']),
    fine: stage({ backbone, head: { kind: 'dense-aspp', classes: head.classes, growth: head.growth, rates: [...head.rates] } }, ['aspp.', 'aspp_seg.']),
  };
}
