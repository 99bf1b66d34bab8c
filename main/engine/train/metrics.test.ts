import { describe, expect, it } from 'vitest';
import { accuracy, auc, dicePerClass } from './metrics';

describe('metrics', () => {
  it('dicePerClass: 2|A∩B|/(|A|+|B|) per class, NaN when absent from both, ignore index skipped', () => {
    const truth = [0, 0, 1, 1, 1, 2, 255];
    const pred = [0, 1, 1, 1, 0, 0, 2];
    const d = dicePerClass(pred, truth, 4, 255);
    expect(d[0]).toBeCloseTo((2 * 1) / (3 + 2));
    expect(d[1]).toBeCloseTo((2 * 2) / (3 + 3));
    expect(d[2]).toBe(0);
    expect(d[3]).toBeNaN();
  });
  it('accuracy', () => expect(accuracy([1, 0, 1, 1], [1, 1, 1, 0])).toBe(0.5));
  it('AUC: perfect, inverted, ties count half', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75);
    expect(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.5, 0.7], [1, 1])).toBeNaN();
  });
});
