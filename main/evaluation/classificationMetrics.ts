import { accuracy, auc } from '../engine/train/metrics';

/** Binary classification figures at a probability threshold; class 1 = positive (malignant). */
export interface BinaryClassificationMetrics {
  n: number;
  threshold: number;
  accuracy: number;
  /** Rank-based (Mann–Whitney) area under the ROC curve; NaN with one class only. */
  auc: number;
  /** TP / (TP + FN); NaN without positives. */
  sensitivity: number;
  /** TN / (TN + FP); NaN without negatives. */
  specificity: number;
  /** Rows = truth, columns = prediction: [[TN, FP], [FN, TP]], plus the four counts by name. */
  confusion: { matrix: [[number, number], [number, number]]; tp: number; fp: number; tn: number; fn: number };
}

/** Accuracy, AUC, sensitivity, specificity and the confusion matrix of probabilities of class 1 against 0/1 truth. */
export function binaryClassificationMetrics(probabilities: readonly number[], truth: readonly (0 | 1)[], threshold = 0.5): BinaryClassificationMetrics {
  if (probabilities.length !== truth.length) throw new Error(`${probabilities.length} probabilities for ${truth.length} labels`);
  const predicted = probabilities.map((p) => (p >= threshold ? 1 : 0));
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === 1) predicted[i] === 1 ? tp++ : fn++;
    else predicted[i] === 1 ? fp++ : tn++;
  }
  return {
    n: truth.length,
    threshold,
    accuracy: accuracy(predicted, truth),
    auc: auc(probabilities, truth),
    sensitivity: tp + fn ? tp / (tp + fn) : NaN,
    specificity: tn + fp ? tn / (tn + fp) : NaN,
    confusion: { matrix: [[tn, fp], [fn, tp]], tp, fp, tn, fn },
  };
}
