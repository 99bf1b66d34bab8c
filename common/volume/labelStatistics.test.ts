import { describe, expect, it } from 'vitest';
import { applyLabelChange, labelStatistics, labelSums } from './labelStatistics';

describe('labelStatistics', () => {
  // 4×3×2 grid; values are the voxel index × 10 − 100.
  const values = Int16Array.from({ length: 24 }, (_, n) => n * 10 - 100);
  const labels = new Uint8Array(24);
  labels.set([1, 1, 1], 0); // voxels 0..2: values -100, -90, -80
  labels[10] = 2; // value 0
  labels[23] = 2; // value 130

  it('counts, mL from the voxel size, mean and population std per label; background left out', () => {
    const stats = labelStatistics(labelSums(labels, values), 0.5 * 0.5 * 2); // 0.5 mm³ per voxel
    expect(stats.map((s) => s.label)).toEqual([1, 2]);
    const [a, b] = stats;
    expect(a.voxels).toBe(3);
    expect(a.volumeMl).toBeCloseTo(0.0015, 12);
    expect(a.mean).toBeCloseTo(-90, 12);
    expect(a.std).toBeCloseTo(Math.sqrt(200 / 3), 10);
    expect(b.voxels).toBe(2);
    expect(b.mean).toBeCloseTo(65, 12);
    expect(b.std).toBeCloseTo(65, 10);
  });

  it('applying a sparse change gives the same figures as a full pass over the edited map, and leaves the old sums alone', () => {
    const before = labelSums(labels, values);
    const edited = labels.slice();
    // Relabel voxel 1 (1→2), erase voxel 10 (2→0), paint voxels 5 and 6 (0→3).
    const change = { indices: [1, 5, 6, 10], before: [1, 0, 0, 2], after: [2, 3, 3, 0] };
    change.indices.forEach((i, n) => (edited[i] = change.after[n]));
    const incremental = labelStatistics(applyLabelChange(before, change, values), 1);
    const full = labelStatistics(labelSums(edited, values), 1);
    expect(incremental.map((s) => s.label)).toEqual([1, 2, 3]);
    incremental.forEach((s, k) => {
      expect(s.voxels).toBe(full[k].voxels);
      expect(s.mean).toBeCloseTo(full[k].mean, 9);
      expect(s.std).toBeCloseTo(full[k].std, 6);
    });
    expect(labelStatistics(before, 1).map((s) => s.voxels)).toEqual([3, 2]);
    // Undo: the reverse change brings the first figures back; an emptied label disappears.
    const undone = applyLabelChange(applyLabelChange(before, change, values), { indices: change.indices, before: change.after, after: change.before }, values);
    expect(labelStatistics(undone, 1).map((s) => [s.label, s.voxels])).toEqual([[1, 3], [2, 2]]);
  });

  it('refuses a label map and scan of different sizes', () => {
    expect(() => labelSums(new Uint8Array(3), new Int16Array(4))).toThrow(/3 labels for 4 scan values/);
  });
});
