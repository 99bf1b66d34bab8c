import { describe, expect, it } from 'vitest';
import { segmentationMetrics } from './segmentationMetrics';
import { summarize } from './summarize';

describe('segmentationMetrics (hand-computed on a 4×1×1 grid of 2 × 1 × 1 mm voxels)', () => {
  const labels = [
    { value: 0, name: 'background' },
    { value: 1, name: 'organ' },
    { value: 2, name: 'lesion' },
    { value: 3, name: 'absent' },
  ];
  const grid = { dims: [4, 1, 1] as [number, number, number], spacing: [2, 1, 1] as [number, number, number] };
  const m = segmentationMetrics({ ...grid, data: [0, 1, 1, 2] }, { ...grid, data: [0, 1, 2, 2] }, labels);

  it('Dice per label, volumes in mL (one voxel = 0.002 mL)', () => {
    expect(m.map((c) => c.name)).toEqual(['organ', 'lesion', 'absent']);
    expect(m[0].dice).toBeCloseTo(2 / 3, 12);
    expect(m[1].dice).toBeCloseTo(2 / 3, 12);
    expect(m[0].predictedMl).toBeCloseTo(0.004, 12);
    expect(m[0].trueMl).toBeCloseTo(0.002, 12);
    expect(m[1].predictedMl).toBeCloseTo(0.002, 12);
    expect(m[1].trueMl).toBeCloseTo(0.004, 12);
  });

  it('HD95: directed distances [0, 2] mm and [0] give 1.9 mm', () => {
    expect(m[0].hd95Mm).toBeCloseTo(1.9, 12);
    expect(m[1].hd95Mm).toBeCloseTo(1.9, 12);
  });

  it('a label absent from both prediction and truth: Dice and HD95 undefined (NaN), volumes 0', () => {
    expect(m[2].dice).toBeNaN();
    expect(m[2].hd95Mm).toBeNaN();
    expect([m[2].predictedMl, m[2].trueMl]).toEqual([0, 0]);
  });

  it('a grid mismatch is an error', () => {
    expect(() => segmentationMetrics({ ...grid, dims: [2, 2, 1], data: [0, 0, 0, 0] }, { ...grid, data: [0, 0, 0, 0] }, labels)).toThrow(/prediction grid 2x2x1 differs from the truth grid 4x1x1/);
  });
});

describe('summarize', () => {
  it('mean, median, population std, min, max of the finite values; NaN left out', () => {
    const s = summarize([4, 1, NaN, 3, 2]);
    expect(s).toMatchObject({ n: 4, mean: 2.5, median: 2.5, min: 1, max: 4 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize([NaN]).n).toBe(0);
  });
});
