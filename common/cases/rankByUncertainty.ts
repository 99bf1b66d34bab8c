import type { CaseStatus } from '../api/types';

/**
 * Active learning's order ("Next to correct"): the cases a person has not corrected or verified
 * yet, most uncertain first; cases without a stored uncertainty (never predicted, or by a method
 * that measures none) come after every scored one, in list order. Ties keep list order.
 *
 * 'corrected' cases are left out as well as 'verified' ones: their stored uncertainty describes a
 * prediction a person has already fixed, so offering them again would waste the reader's time.
 * `status` narrows the candidates to one status (e.g. only 'predicted').
 */
export interface RankableCase {
  caseId: string;
  status: CaseStatus;
  uncertainty: number | null;
}

export function rankByUncertainty<C extends RankableCase>(cases: readonly C[], opts: { status?: CaseStatus } = {}): C[] {
  const open = cases.filter((c) => (opts.status ? c.status === opts.status : c.status !== 'verified' && c.status !== 'corrected'));
  return sortByUncertainty(open);
}

/** All cases, most uncertain first, unscored last (list order kept among equals): the case list's sort. */
export function sortByUncertainty<C extends RankableCase>(cases: readonly C[]): C[] {
  return cases
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const ua = a.c.uncertainty ?? -Infinity;
      const ub = b.c.uncertainty ?? -Infinity;
      return ua === ub ? a.i - b.i : ub - ua;
    })
    .map((x) => x.c);
}
