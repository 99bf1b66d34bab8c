import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { backward, withGrad } from '../../nn/autograd/Var';
import { crossEntropy } from '../../train/losses';
import { modelLayout } from '../../weights/resnetLayout';
import { inferArchitecture } from '../../weights/inferArchitecture';
import { validateModelSpec } from '../../weights/validateSpec';
import { buildModel } from '../buildModel';
import type { ModelSpec } from '../ModelSpec';
import { LIVER_STAGE } from './LiverTwoStageHead';
import { createHeadRegistry } from './headRegistry';

const backbone: ModelSpec['backbone'] = { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 };
const spec: ModelSpec = { backbone, head: { kind: 'liver-two-stage', classes: 2, growth: 3, rates: [1, 2] } };

describe('liver-two-stage head (coarse + DenseASPP on one encoder)', () => {
  it('registers a liver-coarse head then a dense-aspp head, as its layout says', () => {
    const model = buildModel(createHeadRegistry(), spec, { seed: 2 });
    const keys = [...model.stateDict().keys()];
    expect(keys).toEqual([...modelLayout(spec).layout.keys()]);
    const coarse = [...modelLayout({ backbone, head: { kind: 'liver-coarse', classes: 2 } }).layout.keys()];
    const fine = [...modelLayout({ backbone, head: { kind: 'dense-aspp', classes: 2, growth: 3, rates: [1, 2] } }).layout.keys()];
    expect(new Set(keys)).toEqual(new Set([...coarse, ...fine]));
    expect(validateModelSpec(JSON.parse(JSON.stringify(spec)), createHeadRegistry())).toEqual(spec);
    // A .pth of the pair is recognised as the pair (rates are not in the weights: DenseASPP's first two).
    expect(inferArchitecture(createHeadRegistry(), model.stateDict()).spec.head).toEqual({ kind: 'liver-two-stage', classes: 2, growth: 3, rates: [3, 6] });
    model.dispose();
  });

  it('runs the stage it is asked for; a batch of one stage trains the encoder and that stage only', () => {
    const model = buildModel(createHeadRegistry(), spec, { seed: 2 });
    const x = tf.randomNormal([1, 8, 16, 16, 1], 0, 1, 'float32', 1) as tf.Tensor5D;
    for (const stage of [LIVER_STAGE.coarse, LIVER_STAGE.fine]) expect(model.predict(x, { domain: stage }).logits!.shape).toEqual([1, 8, 16, 16, 2]);
    expect(() => model.predict(x)).toThrow(/needs a stage/);
    const trained = (stage: number): string[] =>
      tf.tidy(() =>
        withGrad(true, () => {
          const out = model.forward(x, { training: true, domain: stage });
          const g = backward(crossEntropy(out.logits!, tf.zeros([1, 8, 16, 16], 'int32')));
          return model.parameters().filter(([, p]) => g.has(p.var)).map(([n]) => n);
        }),
      );
    const coarse = trained(LIVER_STAGE.coarse);
    expect(coarse).toContain('conv1.weight');
    expect(coarse).toContain('coarse_seg.weight');
    expect(coarse.some((n) => n.startsWith('aspp'))).toBe(false);
    const fine = trained(LIVER_STAGE.fine);
    expect(fine).toContain('layer4.0.conv2.weight');
    expect(fine).toContain('aspp_seg.weight');
    expect(fine.some((n) => n.startsWith('coarse_seg'))).toBe(false);
    x.dispose();
    model.dispose();
  });
});
