import { describe, it, expect } from 'vitest';
import { alignCurves } from './curves';

describe('alignCurves', () => {
  it('merges curves sampled at different steps', () => {
    const r = alignCurves({ loss: [[1, 0.9], [2, 0.7], [3, 0.5]], valDice: [[3, 0.8], [1, 0.6]], empty: [] });
    expect(r.names).toEqual(['loss', 'valDice']);
    expect(r.table).toEqual([[1, 2, 3], [0.9, 0.7, 0.5], [0.6, null, 0.8]]);
  });
  it('turns non-finite values into gaps', () => {
    expect(alignCurves({ loss: [[0, NaN]] }).table).toEqual([[0], [null]]);
  });
});
