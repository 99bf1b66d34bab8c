import { describe, expect, it } from 'vitest';
import { rankByUncertainty, sortByUncertainty, type RankableCase } from './rankByUncertainty';

const cases: RankableCase[] = [
  { caseId: 'a', status: 'predicted', uncertainty: 0.1 },
  { caseId: 'b', status: 'verified', uncertainty: 0.9 },
  { caseId: 'c', status: 'new', uncertainty: null },
  { caseId: 'd', status: 'predicted', uncertainty: 0.5 },
  { caseId: 'e', status: 'corrected', uncertainty: 0.7 },
  { caseId: 'f', status: 'predicted', uncertainty: 0.5 },
];

describe('rankByUncertainty', () => {
  it('offers cases nobody corrected or verified, most uncertain first, unscored last, ties in list order', () => {
    expect(rankByUncertainty(cases).map((c) => c.caseId)).toEqual(['d', 'f', 'a', 'c']);
  });
  it('narrows to one status when asked', () => {
    expect(rankByUncertainty(cases, { status: 'corrected' }).map((c) => c.caseId)).toEqual(['e']);
  });
  it('sorts the whole list for display', () => {
    expect(sortByUncertainty(cases).map((c) => c.caseId)).toEqual(['b', 'e', 'd', 'f', 'a', 'c']);
  });
});
