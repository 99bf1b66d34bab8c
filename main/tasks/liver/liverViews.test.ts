import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../engine/models/buildModel';
import { LIVER_STAGE } from '../../engine/models/heads/LiverTwoStageHead';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { LIVER_COARSE_PREPROCESSING, LIVER_FINE_PREPROCESSING } from './liverTask';
import { coarseView, fineView } from './liverViews';
import { splitLiverStages } from './splitLiverStages';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

const ph = generateCtPhantom({ dims: [48, 48, 40], seed: 4 });
const liver = Uint8Array.from(ph.truth.liver.data);
const fraction = (l: Uint8Array): number => l.reduce((a, b) => a + b, 0) / l.length;

describe('liver stage views', () => {
  it('coarse: the whole scan at the coarse input dims, liver labels on the same grid', () => {
    const v = coarseView(ph.ct, liver, { ...LIVER_COARSE_PREPROCESSING, inputDims: [32, 32, 24] });
    expect(v.dims).toEqual([32, 32, 24]);
    expect(v.input.length).toBe(32 * 32 * 24);
    expect(Math.abs(fraction(v.labels) - fraction(liver))).toBeLessThan(0.01);
  });

  it('fine: a random expanded ROI at the fine spacing, deterministic per seed, richer in liver than the scan', () => {
    const prep = { ...LIVER_FINE_PREPROCESSING, spacing: [10, 10, 10] as [number, number, number] };
    const a = fineView(ph.ct, liver, prep, 1)!;
    const again = fineView(ph.ct, liver, prep, 1)!;
    expect(again.dims).toEqual(a.dims);
    expect(Array.from(again.input.slice(0, 50))).toEqual(Array.from(a.input.slice(0, 50)));
    expect(a.dims.every((d, i) => d < ph.ct.dims[i] * (ph.ct.spacing[i] / 10) + 1)).toBe(true);
    expect(fraction(a.labels)).toBeGreaterThan(2 * fraction(liver));
    const dims = new Set([1, 2, 3, 4, 5, 6].map((s) => fineView(ph.ct, liver, prep, s)!.dims.join('x')));
    expect(dims.size).toBeGreaterThan(1);
    expect(fineView(ph.ct, new Uint8Array(liver.length), prep, 1)).toBeNull();
  });
});

describe('splitLiverStages', () => {
  it('gives single-head models that compute what the two-stage model computes per stage', () => {
    const backbone = { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 } as const;
    const pair = buildModel(createHeadRegistry(), { backbone, head: { kind: 'liver-two-stage', classes: 2, growth: 2, rates: [1, 2] } }, { seed: 9 });
    const { coarse, fine } = splitLiverStages(pair);
    expect(coarse.spec.head.kind).toBe('liver-coarse');
    expect(fine.spec.head).toEqual({ kind: 'dense-aspp', classes: 2, growth: 2, rates: [1, 2] });
    const x = tf.randomNormal([1, 8, 16, 16, 1], 0, 1, 'float32', 2) as tf.Tensor5D;
    for (const [stage, m] of [
      [LIVER_STAGE.coarse, coarse],
      [LIVER_STAGE.fine, fine],
    ] as const) {
      const want = pair.predict(x, { domain: stage }).logits!.dataSync();
      const got = m.predict(x).logits!.dataSync();
      expect(Array.from(got)).toEqual(Array.from(want));
    }
    expect(() => splitLiverStages(coarse)).toThrow(/not a two-stage liver model/);
  });
});
