import type { Vec3, VoxelArray } from '../../volume/Volume';
import { boundingBox } from '../../volume/preprocess/box';

/**
 * Uncertainty of a threshold decision, for methods without class probabilities (the cold-start
 * lung mask: "lung" where HU < thresholdHu). The hard threshold is softened into a logistic,
 * p(voxel is air-like) = σ((thresholdHu − HU) / softnessHu), and the score is the mean binary
 * entropy (nats, 0 … ln 2) over the mask's bounding box: the region the decision is about, so air
 * outside the body and a large field of view do not dilute it. Voxels near the threshold (partial
 * volume at the pleura, ground glass, consolidation, noise) raise it; a chest whose lungs are
 * cleanly dark scores low. Same unit and direction as a model's mean softmax entropy, so scores
 * rank cases the same way, although only scores of one method compare strictly.
 * With an empty mask the whole volume counts (a scan where nothing was found is worth a look).
 */
export function thresholdEntropy(hu: ArrayLike<number>, dims: Vec3, mask: VoxelArray, thresholdHu: number, softnessHu = 50): number {
  const [nx, ny] = dims;
  const box = boundingBox(mask, dims) ?? { start: [0, 0, 0], size: dims };
  const [i0, j0, k0] = box.start;
  const [sx, sy, sz] = box.size;
  // Entropy per whole HU around the threshold (beyond ±30 softness it is below 1e-11): a table
  // lookup instead of exp + 2 logs per voxel; values are rounded to whole HU (scanner precision).
  const reach = Math.ceil(30 * softnessHu);
  const lo = Math.round(thresholdHu) - reach;
  const table = new Float64Array(2 * reach + 1);
  for (let t = 0; t < table.length; t++) {
    const p = 1 / (1 + Math.exp((lo + t - thresholdHu) / softnessHu));
    table[t] = p > 1e-12 && p < 1 - 1e-12 ? -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) : 0;
  }
  let sum = 0;
  for (let k = k0; k < k0 + sz; k++)
    for (let j = j0; j < j0 + sy; j++) {
      const row = nx * (j + ny * k);
      for (let i = i0; i < i0 + sx; i++) {
        const t = Math.round(hu[row + i]) - lo;
        if (t >= 0 && t < table.length) sum += table[t];
      }
    }
  const n = sx * sy * sz;
  return n ? sum / n : 0;
}
