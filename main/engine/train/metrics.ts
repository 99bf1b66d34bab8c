/**
 * Evaluation metrics on plain arrays (pure functions; segmentationInference's argmaxLabels turns
 * class probabilities into label maps first).
 */

/**
 * Dice per class 0..classes-1 between two label maps of equal length. A class absent from
 * both prediction and truth gets NaN (undefined, not perfect); voxels whose truth equals
 * `ignoreIndex` are skipped.
 */
export function dicePerClass(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number, ignoreIndex?: number): number[] {
  if (pred.length !== truth.length) throw new Error(`dicePerClass: prediction has ${pred.length} voxels, truth ${truth.length}`);
  const inter = new Float64Array(classes);
  const p = new Float64Array(classes);
  const t = new Float64Array(classes);
  for (let i = 0; i < pred.length; i++) {
    const y = truth[i];
    if (y === ignoreIndex) continue;
    const x = pred[i];
    if (x >= 0 && x < classes) p[x]++;
    if (y >= 0 && y < classes) t[y]++;
    if (x === y && x >= 0 && x < classes) inter[x]++;
  }
  return Array.from({ length: classes }, (_, c) => (p[c] + t[c] === 0 ? Number.NaN : (2 * inter[c]) / (p[c] + t[c])));
}

/** Fraction of equal entries. */
export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) throw new Error(`accuracy: ${pred.length} predictions for ${truth.length} labels`);
  if (pred.length === 0) return Number.NaN;
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / pred.length;
}

/**
 * Area under the ROC curve for binary labels (1 = positive) and scores (higher = more
 * positive), via the Mann–Whitney U statistic with ties counted half. NaN if one class is absent.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) throw new Error(`auc: ${scores.length} scores for ${labels.length} labels`);
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
