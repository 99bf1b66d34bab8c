import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { ClassificationDataset, ClassificationItem } from '../datasets/Dataset';
import { evaluateClassification } from './evaluateClassification';

function dataset(columns: string[], rows: Record<string, string>[], usable: number[], labels: (0 | 1)[]): { ds: ClassificationDataset; items: ClassificationItem[] } {
  const items = usable.map((row, n) => ({ row, line: row + 2, image: '/x.nii.gz', center: [0, 0, 0] as [number, number, number], coords: 'lps' as const, label: labels[n], columns: rows[row] }));
  return { ds: { kind: 'classification', root: '/', csv: '/d.csv', columns, rows, items, dropped: [], bad: [], warnings: [] }, items };
}

describe('evaluateClassification: predictions.csv and evaluation figures', () => {
  it('one line per input row in input order; rows not predicted keep empty probability / predicted; quoting survives', () => {
    const rows = [
      { image: 'a.nii.gz', note: 'plain', malignancy: '5' },
      { image: 'b.nii.gz', note: 'has, comma', malignancy: '3' },
      { image: 'c.nii.gz', note: 'say "hi"', malignancy: '1' },
    ];
    const { ds, items } = dataset(['image', 'note', 'malignancy'], rows, [0, 2], [1, 0]);
    const r = evaluateClassification(ds, items, [0.8, 0.3]);
    const back = parse(r.predictionsCsv, { columns: true }) as Record<string, string>[];
    expect(back).toEqual([
      { ...rows[0], probability: '0.800000', predicted: '1' },
      { ...rows[1], probability: '', predicted: '' },
      { ...rows[2], probability: '0.300000', predicted: '0' },
    ]);
    expect(r.evaluation).toMatchObject({ kind: 'classification', rows: 3, predicted: 2, accuracy: 1, auc: 1, sensitivity: 1, specificity: 1 });
  });

  it('input columns named probability / predicted are replaced by ours, not duplicated', () => {
    const rows = [{ image: 'a', probability: 'old', predicted: 'old', label: '1' }];
    const { ds, items } = dataset(['image', 'probability', 'predicted', 'label'], rows, [0], [1]);
    const csv = evaluateClassification(ds, items, [0.25], 0.2).predictionsCsv;
    expect(csv).toBe('image,label,probability,predicted\na,1,0.250000,1\n');
  });
});
