import type { LabelEntry } from '../datasets/Dataset';

/**
 * A warning when a model's label table and the dataset's differ (other values or names): evaluation matches
 * labels by value, so a model trained on `1 = kidney_left` scored on a dataset where 1 = liver would be
 * measured against the wrong organ without a word. Null when the foreground tables agree.
 */
export function labelTableMismatch(model: readonly LabelEntry[], data: readonly LabelEntry[]): string | null {
  const fg = (t: readonly LabelEntry[]): string =>
    t
      .filter((l) => l.value !== 0)
      .map((l) => `${l.value}=${l.name}`)
      .join(', ');
  const m = fg(model);
  const d = fg(data);
  return m === d ? null : `the model's labels (${m || 'none'}) differ from the dataset's (${d || 'none'}); labels are matched by value`;
}
