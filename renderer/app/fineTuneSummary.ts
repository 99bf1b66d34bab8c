import type { JobInfo } from '../../common/api';

/** What a finished (or cancelled) fine-tuning job produced, in words for the jobs panel. */
export interface FineTuneSummary {
  /** e.g. "New version lung-v3 · held-out Dice 0.812 new vs 0.790 baseline · promoted". */
  headline: string;
  /** Why it was or was not promoted (the job's own note). */
  why: string;
}

type Fields = { modelVersion?: unknown; promoted?: unknown; cancelled?: unknown; note?: unknown; valDice?: unknown; baselineDice?: unknown; comparison?: unknown };

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));

/**
 * The result line of a fine-tuning job ('finetune', 'nodule:finetune'); null for other jobs or
 * before a result exists. Reads both result shapes: mask tasks report valDice/baselineDice, the
 * nodule classifier its comparison (accuracy over held-out marks).
 */
export function fineTuneSummary(job: Pick<JobInfo, 'kind' | 'result'>): FineTuneSummary | null {
  if (!/(^|:)finetune$/.test(job.kind)) return null;
  const r = job.result;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return null;
  const f = r as Fields;
  if (typeof f.modelVersion !== 'string') return null;
  const c = (f.comparison && typeof f.comparison === 'object' ? f.comparison : {}) as { metric?: unknown; candidateMean?: unknown; baselineMean?: unknown };
  const metric = c.metric === 'accuracy' ? 'accuracy' : 'Dice';
  const candidate = num(f.valDice) ?? num(c.candidateMean);
  const baseline = num(f.baselineDice) ?? num(c.baselineMean);
  const parts = [`New version ${f.modelVersion}`];
  if (candidate !== null || baseline !== null) parts.push(`held-out ${metric} ${fmt(candidate)} new vs ${fmt(baseline)} baseline`);
  parts.push(f.cancelled === true ? 'cancelled, kept as a candidate' : f.promoted === true ? 'promoted' : 'not promoted');
  return { headline: parts.join(' · '), why: typeof f.note === 'string' ? f.note : '' };
}
