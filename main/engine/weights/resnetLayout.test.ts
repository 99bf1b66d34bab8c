import { describe, expect, it } from 'vitest';
import type { HeadSpec, ModelSpec } from '../models/ModelSpec';
import { buildModel } from '../models/buildModel';
import { modelLayout } from './resnetLayout';
import { inferArchitecture } from './inferArchitecture';
import { createHeadRegistry } from '../models/heads/headRegistry';

const registry = createHeadRegistry();

/**
 * The layouts this module derives (for checks and inference without building a model) must be
 * exactly what the model code registers: same keys, order, shapes and dtypes.
 */
const heads: HeadSpec[] = [
  { kind: 'none' },
  { kind: 'medicalnet-seg', classes: 2, hidden: 4 },
  { kind: 'lung-decoder', classes: 3, channels: [6, 5, 4] },
  { kind: 'classifier', classes: 2 },
  { kind: 'liver-coarse', classes: 2 },
  { kind: 'dense-aspp', classes: 3, growth: 2, rates: [3, 6, 12] },
  { kind: 'liver-two-stage', classes: 2, growth: 2, rates: [3, 6] },
  { kind: 'multi-domain', classesPerDomain: [2, 3, 4] },
];
const backbones: ModelSpec['backbone'][] = [
  { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 },
  { depth: 18, shortcut: 'A', baseWidth: 2, preActivation: false, inChannels: 2 },
  { depth: 50, shortcut: 'B', baseWidth: 1, preActivation: true, inChannels: 1 },
];

describe('modelLayout equals buildModel(spec).stateDict()', () => {
  it.each(backbones.flatMap((b) => heads.map((h) => [`ResNet-${b.depth}${b.shortcut}${b.preActivation ? ' pre-act' : ''}`, h.kind, { backbone: b, head: h }] as const)))(
    '%s + %s',
    (_b, _h, spec) => {
      const model = buildModel(registry, spec);
      try {
        const sd = model.stateDict();
        const got = [...sd].map(([k, t]) => [k, t.dtype, t.shape.join('x')]);
        const want = [...modelLayout(spec).layout].map(([k, e]) => [k, e.dtype, e.shape.join('x')]);
        expect(want).toEqual(got);
        // And inference recovers the spec from those weights.
        expect(inferArchitecture(registry, sd).spec).toEqual(spec);
      } finally {
        model.dispose();
      }
    },
  );
});
