import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { Param } from '../nn/layers/Param';
import { buildModel } from '../models/buildModel';
import { medicalNetParamGroups, Optimizer, type OptimizerConfig } from './optimizers';
import { createHeadRegistry } from '../models/heads/headRegistry';

/** Three steps on p = [0.5, -1, 2] with fixed gradients; expected values from torch.optim (PyTorch 1.13, float64). */
const GRADS = [
  [0.1, -0.2, 0.3],
  [-0.05, 0.4, 0.1],
  [0.2, 0.2, -0.3],
];

function run(cfg: OptimizerConfig): number[] {
  const p = new Param([3], 'vector', tf.tensor1d([0.5, -1, 2]));
  const opt = new Optimizer(cfg, [{ name: 'all', lrScale: 1, params: [['p', p]] }]);
  for (const g of GRADS) {
    const t = tf.tensor1d(g);
    opt.step(new Map([['p', t]]));
    t.dispose();
  }
  const out = Array.from(p.value.dataSync());
  opt.dispose();
  p.dispose();
  return out;
}

describe('optimizers match torch.optim', () => {
  it.each([
    { cfg: { kind: 'adam', lr: 0.01, weightDecay: 0.1 } as OptimizerConfig, want: [0.4752235506, -0.9924286564, 1.974244461] },
    { cfg: { kind: 'sgd', lr: 0.01, momentum: 0.9, weightDecay: 0.1 } as OptimizerConfig, want: [0.4934406985, -0.998578397, 1.981771995] },
    { cfg: { kind: 'sgd', lr: 0.01, momentum: 0.9, nesterov: true } as OptimizerConfig, want: [0.494116, -1.007762, 1.992673] },
    { cfg: { kind: 'sgd', lr: 0.01, momentum: 0.9, dampening: 0.5 } as OptimizerConfig, want: [0.496765, -0.99938, 1.99242] },
  ])('$cfg.kind $cfg', ({ cfg, want }) => {
    const got = run(cfg);
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
  });

  it('state round-trips through stateDict (resumed optimizer continues identically)', () => {
    const mk = (): { p: Param; opt: Optimizer } => {
      const p = new Param([3], 'vector', tf.tensor1d([0.5, -1, 2]));
      return { p, opt: new Optimizer({ kind: 'adam', lr: 0.01 }, [{ name: 'all', lrScale: 1, params: [['p', p]] }]) };
    };
    const a = mk();
    const b = mk();
    const step = (o: { opt: Optimizer }, g: number[]): void => o.opt.step(new Map([['p', tf.tensor1d(g)]]));
    step(a, GRADS[0]);
    step(b, GRADS[0]);
    const c = mk();
    c.p.assign(tf.clone(b.p.value));
    c.opt.loadStateDict(b.opt.stateDict(), b.opt.stepCount);
    step(a, GRADS[1]);
    step(c, GRADS[1]);
    expect(Array.from(c.p.value.dataSync())).toEqual(Array.from(a.p.value.dataSync()));
  });
});

describe('parameter groups', () => {
  it('MedicalNet: encoder at base LR, head at 100x; frozen encoder left out', () => {
    const model = buildModel(createHeadRegistry(), { backbone: { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 }, head: { kind: 'classifier', classes: 2 } });
    const groups = medicalNetParamGroups(model, 100);
    expect(groups.map((g) => [g.name, g.lrScale])).toEqual([
      ['encoder', 1],
      ['head', 100],
    ]);
    expect(groups[1].params.map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    model.freezeEncoder(true);
    expect(medicalNetParamGroups(model).map((g) => g.name)).toEqual(['head']);
    // head LR really is 100x: one SGD step moves fc.bias 100x more than it would at base LR
    const bias = groups[1].params[1][1];
    const before = bias.value.dataSync()[0];
    new Optimizer({ kind: 'sgd', lr: 0.001 }, groups).step(new Map([['fc.bias', tf.ones([2])]]));
    expect(before - bias.value.dataSync()[0]).toBeCloseTo(0.1, 6);
    model.dispose();
  });
});
