import type { ModelComparison, PromotionMode } from '../../../common/api/types';

/**
 * "Never worse": a fine-tuned version replaces the active method only when its mean Dice on the
 * held-out verified cases is strictly higher than the active method's on the same cases (ties keep
 * what the user already knows). No held-out case, a cancelled run or manual promotion never
 * promote; the user can still activate the version by hand.
 */
export interface PromotionInput {
  /** The method compared against: active version id, 'cold-start' or 'none'. */
  baseline: string;
  rows: Array<{ caseId: string; candidate: number; baseline: number }>;
  promotion: PromotionMode;
  cancelled: boolean;
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function promotionDecision(o: PromotionInput): ModelComparison {
  const candidateMean = mean(o.rows.map((r) => r.candidate));
  const baselineMean = mean(o.rows.map((r) => r.baseline));
  const decision: ModelComparison['decision'] = o.cancelled
    ? 'cancelled'
    : candidateMean === null || baselineMean === null
      ? 'no-validation'
      : o.promotion === 'manual'
        ? 'manual'
        : candidateMean > baselineMean
          ? 'promoted'
          : 'kept-baseline';
  return { baseline: o.baseline, metric: 'dice', cases: o.rows.map((r) => ({ ...r })), candidateMean, baselineMean, decision };
}

const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(4));

/** One line for the version's note and the job result; `impossible` says why nothing was held out. */
export function describeDecision(c: ModelComparison, impossible = 'fewer than two verified cases'): string {
  const vs = `held-out Dice ${fmt(c.candidateMean)} vs ${c.baseline} ${fmt(c.baselineMean)} on ${c.cases.length} verified case(s)`;
  const say: Record<ModelComparison['decision'], string> = {
    promoted: `promoted: ${vs}`,
    'kept-baseline': `not promoted, ${c.baseline} stays active: ${vs}`,
    manual: `not activated (manual promotion): ${vs}`,
    'no-validation': `not promoted: validation is impossible with ${impossible} (activate it by hand if you trust it)`,
    cancelled: 'not promoted: cancelled',
  };
  return say[c.decision];
}
