import type { Vec3 } from '../volume/Volume';
import { dicePerClass } from '../engine/train/metrics';
import type { LabelEntry } from '../datasets/Dataset';
import { hausdorffDistance } from './surfaceDistance';

/** One foreground label of one case. */
export interface ClassSegmentationMetrics {
  value: number;
  name: string;
  /** THE Dice (engine/train/metrics dicePerClass); NaN when the label is absent from both prediction and truth. */
  dice: number;
  /** 95 % Hausdorff distance in mm; NaN when the prediction or the truth of this label is empty. */
  hd95Mm: number;
  predictedMl: number;
  trueMl: number;
}

interface LabelGrid {
  data: ArrayLike<number>;
  dims: Vec3;
  spacing: Vec3;
}

/**
 * Per-label metrics of a predicted label map against the truth on the same grid (values = the dataset's
 * label values): Dice, 95 % Hausdorff distance (mm, voxel size from `truth.spacing`), predicted and true
 * volumes in mL. Background (value 0) is not reported.
 */
export function segmentationMetrics(pred: LabelGrid, truth: LabelGrid, labels: readonly LabelEntry[]): ClassSegmentationMetrics[] {
  const n = truth.data.length;
  if (pred.data.length !== n || pred.dims.some((d, a) => d !== truth.dims[a]))
    throw new Error(`prediction grid ${pred.dims.join('x')} differs from the truth grid ${truth.dims.join('x')}`);
  const maxValue = labels.reduce((m, l) => Math.max(m, l.value), 0);
  // Values beyond the table (a model trained on other labels) count as background for the dice table size.
  const dice = dicePerClass(pred.data, truth.data, maxValue + 1);
  const voxelMl = (truth.spacing[0] * truth.spacing[1] * truth.spacing[2]) / 1000;
  return labels
    .filter((l) => l.value !== 0)
    .map((l) => {
      const p = new Uint8Array(n);
      const t = new Uint8Array(n);
      let np = 0;
      let nt = 0;
      for (let i = 0; i < n; i++) {
        if (pred.data[i] === l.value) {
          p[i] = 1;
          np++;
        }
        if (truth.data[i] === l.value) {
          t[i] = 1;
          nt++;
        }
      }
      return { value: l.value, name: l.name, dice: dice[l.value], hd95Mm: hausdorffDistance(p, t, truth.dims, truth.spacing), predictedMl: np * voxelMl, trueMl: nt * voxelMl };
    });
}
