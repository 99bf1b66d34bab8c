import { describe, it, expect } from 'vitest';
import { fineTuneSummary } from './fineTuneSummary';

describe('fineTuneSummary', () => {
  it('reads a mask task result: new version, Dice new vs baseline, promoted', () => {
    const s = fineTuneSummary({ kind: 'finetune', result: { modelVersion: 'lung-v3', promoted: true, decision: 'promoted', valDice: 0.8123, baselineDice: 0.79, note: 'from lung-v2, 40 steps (budget); promoted: …' } });
    expect(s).toEqual({ headline: 'New version lung-v3 · held-out Dice 0.812 new vs 0.790 baseline · promoted', why: 'from lung-v2, 40 steps (budget); promoted: …' });
  });

  it('says not promoted and why when nothing could be validated', () => {
    const s = fineTuneSummary({ kind: 'finetune', result: { modelVersion: 'lung-v2', promoted: false, decision: 'no-validation', valDice: null, baselineDice: null, note: 'not promoted: validation is impossible' } });
    expect(s?.headline).toBe('New version lung-v2 · not promoted');
    expect(s?.why).toContain('validation is impossible');
  });

  it('reads the nodule classifier comparison as accuracy, and a cancelled candidate', () => {
    expect(fineTuneSummary({ kind: 'nodule:finetune', result: { modelVersion: 'nodule-v2', promoted: false, comparison: { metric: 'accuracy', candidateMean: 0.75, baselineMean: 0.8 }, note: 'kept' } })?.headline).toBe(
      'New version nodule-v2 · held-out accuracy 0.750 new vs 0.800 baseline · not promoted',
    );
    expect(fineTuneSummary({ kind: 'finetune', result: { modelVersion: 'lung-v4', promoted: false, cancelled: true, step: 12, note: 'cancelled at step 12' } })?.headline).toBe('New version lung-v4 · cancelled, kept as a candidate');
  });

  it('is null for other jobs and for jobs without a result', () => {
    expect(fineTuneSummary({ kind: 'predict', result: { modelVersion: 'x' } })).toBeNull();
    expect(fineTuneSummary({ kind: 'finetune' })).toBeNull();
    expect(fineTuneSummary({ kind: 'finetune', result: [1, 2] })).toBeNull();
  });
});
