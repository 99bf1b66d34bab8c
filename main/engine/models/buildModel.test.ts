import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { backward, withGrad } from '../nn/autograd/Var';
import { inferArchitecture } from '../weights/inferArchitecture';
import { backboneLayout } from '../weights/resnetLayout';
import { buildModel } from './buildModel';
import type { HeadSpec, ModelSpec, ResNetDepth } from './ModelSpec';
import { crossEntropy } from '../train/losses';
import { createHeadRegistry } from './heads/headRegistry';
import { classifierHeadKind } from './heads/ClassifierHead';
import { denseAsppRates } from './heads/denseAsppHeadShape';

const heads = createHeadRegistry();

/** Tiny models (base width 2) of every depth and head: shapes, state-dict names, round trips. */
const backbone = (depth: ResNetDepth, shortcut: 'A' | 'B' = 'B', preActivation = false): ModelSpec['backbone'] => ({
  depth,
  shortcut,
  baseWidth: 2,
  preActivation,
  inChannels: 1,
});

describe('3D ResNet encoders: every depth', () => {
  const depths: ResNetDepth[] = [10, 18, 34, 50, 101, 152, 200];
  it.each(depths.flatMap((d) => [{ d, s: 'A' as const, pa: false }, { d, s: 'B' as const, pa: false }]).concat([{ d: 200, s: 'B', pa: true }, { d: 18, s: 'A', pa: true }]))(
    'ResNet-$d shortcut $s pre-activation $pa: keys and shapes = MedicalNet layout; forward 1x1x9x10x11 → features at 1/8',
    ({ d, s, pa }) => {
      const spec: ModelSpec = { backbone: backbone(d, s, pa), head: { kind: 'none' } };
      const model = buildModel(heads, spec);
      const sd = model.stateDict();
      const layout = backboneLayout(spec.backbone);
      expect([...sd.keys()]).toEqual([...layout.keys()]);
      for (const [k, t] of sd) expect(t.shape, k).toEqual(layout.get(k)!.shape);
      expect(inferArchitecture(heads, sd).spec).toEqual(spec);
      if (d <= 50 || pa) {
        const out = model.predict(tf.randomNormal([1, 9, 10, 11, 1], 0, 1, 'float32', 1) as tf.Tensor5D);
        const exp = d >= 50 ? 4 : 1;
        expect(out.features.shape).toEqual([1, 2, 2, 2, 16 * exp]);
        out.features.dispose();
      }
      model.dispose();
    },
  );
});

describe('heads', () => {
  const x = (): tf.Tensor5D => tf.randomNormal([2, 16, 17, 18, 1], 0, 1, 'float32', 3) as tf.Tensor5D;
  const cases: { head: HeadSpec; shape: number[] }[] = [
    { head: { kind: 'medicalnet-seg', classes: 3, hidden: 4 }, shape: [2, 4, 6, 6, 3] },
    { head: { kind: 'lung-decoder', classes: 2, channels: [6, 4, 3] }, shape: [2, 16, 24, 24, 2] },
    { head: { kind: 'classifier', classes: 2 }, shape: [2, 2] },
    { head: { kind: 'liver-coarse', classes: 2 }, shape: [2, 16, 17, 18, 2] },
    { head: { kind: 'dense-aspp', classes: 2, growth: 3, rates: [3, 6, 12] }, shape: [2, 16, 17, 18, 2] },
    { head: { kind: 'liver-two-stage', classes: 2, growth: 3, rates: [3, 6] }, shape: [2, 16, 17, 18, 2] },
    { head: { kind: 'multi-domain', classesPerDomain: [2, 4] }, shape: [2, 16, 17, 18, 4] },
  ];
  it.each(cases)('$head.kind: output $shape, weights recognised and reloadable', ({ head, shape }) => {
    const spec: ModelSpec = { backbone: backbone(10), head };
    const model = buildModel(heads, spec, { seed: 5 });
    const out = model.predict(head.kind === 'lung-decoder' ? (tf.randomNormal([2, 16, 24, 24, 1]) as tf.Tensor5D) : x(), { domain: 1 });
    expect(out.logits!.shape).toEqual(shape);
    const sd = model.stateDict();
    const inferred = inferArchitecture(heads, sd).spec;
    // DenseASPP rates are not in the weights: [3, 6, 12] are the paper's first three, so even they round-trip.
    expect(inferred).toEqual(spec);
    // A model built with another seed differs until it loads the state dict, then matches exactly.
    const other = buildModel(heads, spec, { seed: 6 });
    other.loadStateDict(sd);
    const sd2 = other.stateDict();
    for (const [k, t] of sd) expect(Array.from(sd2.get(k)!.data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
    model.dispose();
    other.dispose();
  });

  it('multi-domain: a batch from domain 0 gives gradients to branch 0 and the encoder only', () => {
    const model = buildModel(heads, { backbone: backbone(10), head: { kind: 'multi-domain', classesPerDomain: [2, 3] } });
    const grads = tf.tidy(() =>
      withGrad(true, () => {
        const out = model.forward(tf.randomNormal([1, 8, 8, 8, 1]) as tf.Tensor5D, { training: true, domain: 0 });
        const g = backward(crossEntropy(out.logits!, tf.zeros([1, 8, 8, 8], 'int32')));
        return model.parameters().filter(([, p]) => g.has(p.var)).map(([n]) => n);
      }),
    );
    expect(grads).toContain('branches.0.weight');
    expect(grads).toContain('conv1.weight');
    expect(grads.some((n) => n.startsWith('branches.1'))).toBe(false);
    model.dispose();
  });
});

describe('spec validation', () => {
  it('rejects impossible specs with a message naming the field', () => {
    expect(() => buildModel(heads, { backbone: backbone(10), head: { kind: 'lung-decoder', classes: 2, channels: [4, 0, 2] } })).toThrow(/channels\[1\] must be a positive integer/);
    expect(() => buildModel(heads, { backbone: { ...backbone(10), depth: 11 as ResNetDepth }, head: { kind: 'none' } })).toThrow(/unsupported ResNet depth 11/);
    expect(() => buildModel(heads, { backbone: backbone(10), head: { kind: 'multi-domain', classesPerDomain: [] } })).toThrow(/at least one domain/);
    expect(() => buildModel(heads, { backbone: backbone(10), head: { kind: 'dense-aspp', classes: 2, growth: 2, rates: [] } })).toThrow(/rates must list at least one dilation rate/);
  });
});

describe('head registry (passed explicitly)', () => {
  it('builds and recognises only the kinds it holds', () => {
    const onlyClassifier = createHeadRegistry([classifierHeadKind]);
    expect(() => buildModel(onlyClassifier, { backbone: backbone(10), head: { kind: 'liver-coarse', classes: 2 } })).toThrow(/unknown head kind 'liver-coarse' \(known: classifier, none\)/);
    const model = buildModel(heads, { backbone: backbone(10), head: { kind: 'liver-coarse', classes: 2 } });
    const sd = model.stateDict();
    expect(inferArchitecture(heads, sd).spec.head).toEqual({ kind: 'liver-coarse', classes: 2 });
    // A registry without the head leaves its keys unexplained: encoder only, keys reported.
    const got = inferArchitecture(onlyClassifier, sd);
    expect(got.spec.head).toEqual({ kind: 'none' });
    expect(got.notes.join('\n')).toMatch(/coarse_seg\.\* \(2\)/);
    model.dispose();
  });

  it("DenseASPP rates for a .pth: the paper's 3, 6, 12, 18, 24, then steps of 6", () => {
    expect(denseAsppRates(3)).toEqual([3, 6, 12]);
    expect(denseAsppRates(7)).toEqual([3, 6, 12, 18, 24, 30, 36]);
  });
});

describe('loadStateDict', () => {
  it('strict load names missing, unexpected and mis-shaped keys', () => {
    const a = buildModel(heads, { backbone: backbone(10), head: { kind: 'medicalnet-seg', classes: 2, hidden: 4 } });
    const b = buildModel(heads, { backbone: backbone(18), head: { kind: 'medicalnet-seg', classes: 3, hidden: 4 } });
    expect(() => b.loadStateDict(a.stateDict())).toThrow(/conv_seg\.6\.weight: checkpoint \[2,4,1,1,1\] vs model \[3,4,1,1,1\]/);
    expect(() => b.loadStateDict(a.stateDict())).toThrow(/missing keys: .*layer1\.1\.conv1\.weight/);
    const enc = buildModel(heads, { backbone: backbone(10), head: { kind: 'none' } });
    expect(() => enc.loadStateDict(a.stateDict())).toThrow(/unexpected keys: conv_seg\.0\.weight/);
    // Non-strict: a pretrained encoder under a new head.
    const cls = buildModel(heads, { backbone: backbone(10), head: { kind: 'classifier', classes: 2 } });
    const r = cls.loadStateDict(enc.stateDict(), { strict: false });
    expect(r.missing).toEqual(['fc.weight', 'fc.bias']);
    expect(r.unexpected).toEqual([]);
    [a, b, enc, cls].forEach((m) => m.dispose());
  });
});

describe('tensor memory', () => {
  it('predict and a training step leave no tensors behind; dispose frees the model', async () => {
    const { computeGradients } = await import('../train/computeGradients');
    const x = tf.randomNormal([1, 8, 8, 8, 1]) as tf.Tensor5D;
    const labels = tf.zeros([1, 8, 8, 8], 'int32');
    const empty = tf.memory().numTensors;
    const model = buildModel(heads, { backbone: backbone(10), head: { kind: 'dense-aspp', classes: 2, growth: 2, rates: [1, 2] } });
    const predict = (): void => {
      const out = model.predict(x);
      out.logits!.dispose();
      out.features.dispose();
    };
    predict(); // builds the cached BN-folded inference weights once
    const before = tf.memory().numTensors;
    predict();
    expect(tf.memory().numTensors).toBe(before);
    const r = computeGradients(model, x, (o) => crossEntropy(o.logits!, labels));
    expect(r.grads.size).toBe(model.parameters().length);
    r.grads.forEach((g) => g.dispose());
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(tf.memory().numTensors).toBe(empty);
  });
});
