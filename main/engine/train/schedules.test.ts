import { describe, expect, it } from 'vitest';
import { lrFactor } from './schedules';

describe('learning-rate schedules', () => {
  it('step: gamma every stepSize steps', () => {
    expect([0, 9, 10, 25].map((s) => lrFactor({ kind: 'step', stepSize: 10, gamma: 0.1 }, s, 100))).toEqual([1, 1, 0.1, 0.1 ** 2].map((v) => expect.closeTo(v, 12)));
  });
  it('cosine: 1 at start, halfway 0.5 (+min), minFactor at the end, linear warm-up', () => {
    const s = { kind: 'cosine', minFactor: 0.1 } as const;
    expect(lrFactor(s, 0, 100)).toBeCloseTo(1);
    expect(lrFactor(s, 50, 100)).toBeCloseTo(0.55);
    expect(lrFactor(s, 100, 100)).toBeCloseTo(0.1);
    expect(lrFactor({ kind: 'cosine', warmupSteps: 4 }, 1, 100)).toBeCloseTo(0.5);
  });
  it('poly: (1 - t)^0.9', () => {
    expect(lrFactor({ kind: 'poly' }, 50, 100)).toBeCloseTo(0.5 ** 0.9);
    expect(lrFactor({ kind: 'poly', power: 2 }, 100, 100)).toBe(0);
  });
});
