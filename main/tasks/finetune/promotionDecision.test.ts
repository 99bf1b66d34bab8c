import { describe, expect, it } from 'vitest';
import { describeDecision, promotionDecision } from './promotionDecision';

const rows = (pairs: Array<[number, number]>) => pairs.map(([candidate, baseline], i) => ({ caseId: `c${i}`, candidate, baseline }));

describe('promotionDecision (never worse)', () => {
  it('promotes only a strictly higher mean on the held-out cases', () => {
    const won = promotionDecision({ baseline: 'cold-start', rows: rows([[0.9, 0.8], [0.7, 0.75]]), promotion: 'automatic', cancelled: false });
    expect(won).toMatchObject({ decision: 'promoted', candidateMean: 0.8, baselineMean: 0.775, metric: 'dice' });
    expect(won.cases).toHaveLength(2);
    expect(promotionDecision({ baseline: 'lung-v1', rows: rows([[0.8, 0.8]]), promotion: 'automatic', cancelled: false }).decision).toBe('kept-baseline');
    expect(promotionDecision({ baseline: 'lung-v1', rows: rows([[0.1, 0.9]]), promotion: 'automatic', cancelled: false }).decision).toBe('kept-baseline');
  });

  it('never promotes without held-out cases, under manual promotion, or when cancelled', () => {
    expect(promotionDecision({ baseline: 'cold-start', rows: [], promotion: 'automatic', cancelled: false })).toMatchObject({ decision: 'no-validation', candidateMean: null, baselineMean: null });
    expect(promotionDecision({ baseline: 'cold-start', rows: rows([[0.9, 0.1]]), promotion: 'manual', cancelled: false }).decision).toBe('manual');
    expect(promotionDecision({ baseline: 'cold-start', rows: rows([[0.9, 0.1]]), promotion: 'automatic', cancelled: true }).decision).toBe('cancelled');
  });

  it('says what was compared in one line', () => {
    const c = promotionDecision({ baseline: 'cold-start', rows: rows([[0.5, 0.9]]), promotion: 'automatic', cancelled: false });
    expect(describeDecision(c)).toBe('not promoted, cold-start stays active: held-out Dice 0.5000 vs cold-start 0.9000 on 1 verified case(s)');
    expect(describeDecision(promotionDecision({ baseline: 'none', rows: [], promotion: 'automatic', cancelled: false }))).toMatch(/validation is impossible with fewer than two verified cases/);
  });
});
