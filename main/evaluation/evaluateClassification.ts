import type { ClassificationDataset } from '../datasets/Dataset';
import { binaryClassificationMetrics, type BinaryClassificationMetrics } from './classificationMetrics';
import { csvText } from './csvText';

export interface ClassificationEvaluation extends BinaryClassificationMetrics {
  kind: 'classification';
  /** CSV data rows in the input; rows without a prediction (dropped, skipped) have empty probability/predicted. */
  rows: number;
  predicted: number;
}

/**
 * Score P(class 1) of the usable items (`probabilities[i]` belongs to `items[i]`) and build predictions.csv:
 * every input row in input order, its original columns plus `probability` and `predicted` (0/1 at
 * `threshold`), left empty for rows that were not predicted (dropped or skipped). Input columns already
 * named `probability` / `predicted` are overwritten in place.
 */
export function evaluateClassification(
  ds: ClassificationDataset,
  items: ClassificationDataset['items'],
  probabilities: readonly number[],
  threshold = 0.5,
): { evaluation: ClassificationEvaluation; predictionsCsv: string } {
  if (items.length !== probabilities.length) throw new Error(`${items.length} items but ${probabilities.length} probabilities`);
  const metrics = binaryClassificationMetrics(probabilities, items.map((i) => i.label), threshold);
  const byRow = new Map(items.map((it, n) => [it.row, probabilities[n]]));
  const header = [...ds.columns.filter((c) => c !== 'probability' && c !== 'predicted'), 'probability', 'predicted'];
  const rows = ds.rows.map((r, row) => {
    const p = byRow.get(row);
    return header.map((h) => (h === 'probability' ? (p === undefined ? '' : p.toFixed(6)) : h === 'predicted' ? (p === undefined ? '' : p >= threshold ? '1' : '0') : r[h] ?? ''));
  });
  return { evaluation: { kind: 'classification', rows: ds.rows.length, predicted: items.length, ...metrics }, predictionsCsv: csvText(header, rows) };
}
