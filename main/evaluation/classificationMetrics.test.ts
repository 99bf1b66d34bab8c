import { describe, expect, it } from 'vitest';
import { binaryClassificationMetrics } from './classificationMetrics';

describe('binaryClassificationMetrics (hand-computed)', () => {
  it('5 nodules: TP 2, FP 1, TN 1, FN 1; AUC = 5 of 6 positive/negative pairs ranked right', () => {
    const m = binaryClassificationMetrics([0.9, 0.2, 0.6, 0.4, 0.7], [1, 0, 0, 1, 1]);
    expect(m.confusion).toEqual({ matrix: [[1, 1], [1, 2]], tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(m.accuracy).toBeCloseTo(0.6, 12);
    expect(m.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(m.specificity).toBeCloseTo(0.5, 12);
    expect(m.auc).toBeCloseTo(5 / 6, 12);
    expect(m.n).toBe(5);
  });

  it('ties count half in the AUC; the threshold moves the confusion matrix, not the AUC', () => {
    expect(binaryClassificationMetrics([0.5, 0.5], [1, 0]).auc).toBe(0.5);
    const m = binaryClassificationMetrics([0.9, 0.2, 0.6, 0.4, 0.7], [1, 0, 0, 1, 1], 0.3);
    expect(m.confusion).toMatchObject({ tp: 3, fp: 1, tn: 1, fn: 0 });
    expect(m.auc).toBeCloseTo(5 / 6, 12);
  });

  it('one class only: AUC and the missing rate are undefined (NaN)', () => {
    const m = binaryClassificationMetrics([0.8, 0.3], [1, 1]);
    expect(m.auc).toBeNaN();
    expect(m.specificity).toBeNaN();
    expect(m.sensitivity).toBe(0.5);
  });
});
