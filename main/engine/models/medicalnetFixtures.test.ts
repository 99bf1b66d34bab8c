import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import { withGrad } from '../nn/autograd/Var';
import { ncdhwToNdhwc, toChannelsFirst } from '../nn/layout';
import { inferArchitecture } from '../weights/inferArchitecture';
import { readPth } from '../weights/readPth';
import { buildModel } from './buildModel';
import { readF32, readManifest, worstExcess } from './testing/fixtures';
import { createHeadRegistry } from './heads/headRegistry';

/**
 * MedicalNet parity: every forward / encoder fixture checkpoint (both .pth formats) loaded
 * through readPth + inferArchitecture + buildModel must reproduce PyTorch's logits and layer4
 * features within the manifest's tolerances.
 */
const has = sharedAvailable('MedicalNet fixtures');
const cases = has ? readManifest(FIXTURES_DIR).cases.filter((c) => c.kind !== 'train') : [];
const runs = cases.flatMap((c) => c.checkpoints.map((ck) => ({ c, ck, title: `${c.name} ${ck.format} (${ck.file})` })));

describe.skipIf(!has)('MedicalNet fixtures: eval forward', () => {
  it.each(runs)('$title', async ({ c, ck }) => {
    const { stateDict } = await readPth(`${FIXTURES_DIR}/${ck.file}`);
    const { spec } = inferArchitecture(createHeadRegistry(), stateDict);
    expect(spec.head.kind).toBe(ck.encoder_only ? 'none' : 'medicalnet-seg');
    const model = buildModel(createHeadRegistry(), spec);
    model.loadStateDict(stateDict);
    const x = ncdhwToNdhwc(readF32(FIXTURES_DIR, c.input.file), c.input.shape);
    const out = model.predict(x);
    for (const what of ['features', 'logits'] as const) {
      const exp = c.expected[what];
      if (!exp) continue;
      const t = what === 'features' ? out.features : out.logits;
      expect(t, `${what} produced`).not.toBeNull();
      const got = toChannelsFirst(t as tf.Tensor);
      expect(got.shape).toEqual(exp.shape);
      const r = worstExcess(got.data, readF32(FIXTURES_DIR, exp.file), c.tolerance[what]);
      expect(r.excess, `${c.name} ${what}: max |diff| ${r.maxAbs} (worst at ${r.at})`).toBeLessThanOrEqual(0);
    }
    if (c.expected.logits) {
      // The differentiable eval path (separate BN, no folding) must agree as well.
      const unfused = tf.tidy(() => withGrad(true, () => model.forward(x, { training: false }).logits!.value));
      const r = worstExcess(toChannelsFirst(unfused).data, readF32(FIXTURES_DIR, c.expected.logits.file), c.tolerance.logits);
      expect(r.excess, `${c.name} unfused logits: max |diff| ${r.maxAbs}`).toBeLessThanOrEqual(0);
      unfused.dispose();
    }
    x.dispose();
    out.features.dispose();
    out.logits?.dispose();
    model.dispose();
  });
});
