/**
 * Per-label statistics of a label map over its scan: voxel count, volume in mL, mean and standard
 * deviation of the scan values (HU for CT) under each label. Kept as running sums so an edit
 * updates them from its sparse diff (cost proportional to the voxels changed), and a full pass is
 * needed only when a whole label map is loaded.
 */

/** Sums per label value 0..255 (index = label): voxel count, sum and sum of squares of the scan values. */
export interface LabelSums {
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

export interface LabelStatistic {
  label: number;
  voxels: number;
  /** Voxel count × voxel volume, in millilitres (cm³). */
  volumeMl: number;
  /** Mean and population standard deviation of the scan values under the label. */
  mean: number;
  std: number;
}

/** Sparse change of a label map (same shape as the editor's undo diffs). */
export interface LabelChange {
  indices: ArrayLike<number>;
  before: ArrayLike<number>;
  after: ArrayLike<number>;
}

const emptySums = (): LabelSums => ({ count: new Float64Array(256), sum: new Float64Array(256), sumSq: new Float64Array(256) });

/** One pass over the whole label map; `labels` and `values` index the same voxels. */
export function labelSums(labels: ArrayLike<number>, values: ArrayLike<number>): LabelSums {
  if (labels.length !== values.length) throw new Error(`labelSums: ${labels.length} labels for ${values.length} scan values`);
  const s = emptySums();
  const { count, sum, sumSq } = s;
  for (let n = 0; n < labels.length; n++) {
    const l = labels[n];
    if (l === 0) continue; // background: not listed, and skipping it keeps the pass cheap
    const v = values[n];
    count[l]++;
    sum[l] += v;
    sumSq[l] += v * v;
  }
  return s;
}

/** The sums after a change (a new object; `prev` is left as it was). Background (0) is not tracked. */
export function applyLabelChange(prev: LabelSums, change: LabelChange, values: ArrayLike<number>): LabelSums {
  const s: LabelSums = { count: prev.count.slice(), sum: prev.sum.slice(), sumSq: prev.sumSq.slice() };
  const { indices, before, after } = change;
  for (let n = 0; n < indices.length; n++) {
    const v = values[indices[n]];
    const b = before[n];
    const a = after[n];
    if (b !== 0) {
      s.count[b]--;
      s.sum[b] -= v;
      s.sumSq[b] -= v * v;
    }
    if (a !== 0) {
      s.count[a]++;
      s.sum[a] += v;
      s.sumSq[a] += v * v;
    }
  }
  return s;
}

/** Statistics of every label present (count > 0), by label value; voxelMm3 = product of the spacings. */
export function labelStatistics(s: LabelSums, voxelMm3: number): LabelStatistic[] {
  const out: LabelStatistic[] = [];
  for (let l = 1; l < 256; l++) {
    const n = s.count[l];
    if (n <= 0) continue;
    const mean = s.sum[l] / n;
    // Running sums lose a little to cancellation after many edits: never report a negative variance.
    const variance = Math.max(0, s.sumSq[l] / n - mean * mean);
    out.push({ label: l, voxels: n, volumeMl: (n * voxelMm3) / 1000, mean, std: Math.sqrt(variance) });
  }
  return out;
}
