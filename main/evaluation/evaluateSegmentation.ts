import type { LabelMap, Volume } from '../volume/Volume';
import { gridOf, sameGrid } from '../volume/geometry/grid';
import type { LabelEntry, SegmentationCaseRef, SegmentationDataset } from '../datasets/Dataset';
import { loadSegmentationCase } from '../datasets/loadSegmentationCase';
import { segmentationMetrics, type ClassSegmentationMetrics } from './segmentationMetrics';
import { summarize, type Summary } from './summarize';

/** Which labelled cases to score: 'test' (imagesTs + labelsTs), 'train', or 'all'; 'auto' = test when it has labels, else all. */
export type EvaluationSplit = 'auto' | 'test' | 'train' | 'all';

export interface CaseEvaluation {
  id: string;
  split: 'train' | 'test';
  image: string;
  label: string;
  /** Mean Dice over the foreground labels defined in this case (present in prediction or truth). */
  meanDice: number;
  labels: ClassSegmentationMetrics[];
  seconds: number;
}

export interface SegmentationEvaluation {
  kind: 'segmentation';
  split: Exclude<EvaluationSplit, 'auto'>;
  labels: LabelEntry[];
  cases: CaseEvaluation[];
  /** Per label over cases: Dice, HD95 (mm), predicted and true volume (mL); undefined values (NaN) left out, n says how many counted. */
  summary: {
    meanDice: Summary;
    perLabel: Array<{ value: number; name: string; dice: Summary; hd95Mm: Summary; predictedMl: Summary; trueMl: Summary }>;
  };
  warnings: string[];
}

/** The labelled cases of `split` ('auto': the labelled test cases when there are any, else every labelled case). */
export function casesToEvaluate(ds: SegmentationDataset, split: EvaluationSplit): { split: Exclude<EvaluationSplit, 'auto'>; cases: SegmentationCaseRef[] } {
  const labelled = ds.cases.filter((c) => c.label);
  const s = split === 'auto' ? (labelled.some((c) => c.split === 'test') ? 'test' : 'all') : split;
  return { split: s, cases: labelled.filter((c) => s === 'all' || c.split === s) };
}

/**
 * Score a segmentation model on a dataset: each case's image goes through `predict` (a mask on the image's
 * grid with the dataset's label values), and is compared with the case's label, label by label.
 */
export async function evaluateSegmentation(
  ds: SegmentationDataset,
  split: EvaluationSplit,
  predict: (image: Volume, id: string) => Promise<LabelMap>,
  onCase: (c: CaseEvaluation, done: number, total: number) => void = () => {},
): Promise<SegmentationEvaluation> {
  const chosen = casesToEvaluate(ds, split);
  if (chosen.cases.length === 0) throw new Error(`${ds.root}: no labelled ${chosen.split === 'all' ? '' : `${chosen.split} `}case to evaluate`);
  const cases: CaseEvaluation[] = [];
  const warnings: string[] = [];
  for (const ref of chosen.cases) {
    const t0 = performance.now();
    const loaded = await loadSegmentationCase(ds, ref);
    warnings.push(...loaded.warnings);
    const pred = await predict(loaded.image, ref.id);
    if (!sameGrid(gridOf(pred), gridOf(loaded.image), 1e-3)) throw new Error(`${ref.image}: the prediction is not on the image grid (${pred.dims.join('x')} vs ${loaded.image.dims.join('x')})`);
    const labels = segmentationMetrics(pred, loaded.label!, ds.labels);
    const dices = labels.map((l) => l.dice).filter((d) => !Number.isNaN(d));
    const c: CaseEvaluation = {
      id: ref.id,
      split: ref.split,
      image: ref.image,
      label: ref.label!,
      meanDice: dices.length ? dices.reduce((a, b) => a + b, 0) / dices.length : NaN,
      labels,
      seconds: (performance.now() - t0) / 1000,
    };
    cases.push(c);
    onCase(c, cases.length, chosen.cases.length);
  }
  const fg = ds.labels.filter((l) => l.value !== 0);
  return {
    kind: 'segmentation',
    split: chosen.split,
    labels: ds.labels,
    cases,
    summary: {
      meanDice: summarize(cases.map((c) => c.meanDice)),
      perLabel: fg.map((l, n) => ({
        value: l.value,
        name: l.name,
        dice: summarize(cases.map((c) => c.labels[n].dice)),
        hd95Mm: summarize(cases.map((c) => c.labels[n].hd95Mm)),
        predictedMl: summarize(cases.map((c) => c.labels[n].predictedMl)),
        trueMl: summarize(cases.map((c) => c.labels[n].trueMl)),
      })),
    },
    warnings,
  };
}
