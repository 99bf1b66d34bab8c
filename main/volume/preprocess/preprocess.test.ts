import { describe, expect, it } from 'vitest';
import type { Vec3, Volume, VoxelArray } from '../Volume';
import { affineFromGeometry, applyAffine, spacingFromAffine } from '../geometry/affine';
import { boundingBox, cropBox, expandBox, pasteBox } from './box';
import { foregroundCrop } from './foregroundCrop';
import { huWindow, percentileClip, zScore } from './intensity';
import { med3dPreprocess } from './med3dPreprocess';
import { percentile, percentiles } from './percentile';
import { seededRandom } from '../../util/seededRandom';
import { mapToSource, medianSpacing, resampleToSpacing, resizeTo } from './spacing';

function vol(data: VoxelArray, dims: Vec3, spacing: Vec3 = [1, 1, 1], origin: Vec3 = [0, 0, 0]): Volume {
  const affine = affineFromGeometry(spacing, origin);
  return { data, dims, affine, spacing: spacingFromAffine(affine), meta: { warnings: [] } };
}

/** numpy.percentile(x, q) reference by full sort. */
function npPercentile(x: number[], q: number): number {
  const s = [...x].sort((a, b) => a - b);
  const r = (q / 100) * (s.length - 1);
  const lo = Math.floor(r);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (r - lo) : s[lo];
}

describe('percentiles (numpy linear)', () => {
  const rng = seededRandom(7);
  const xs = Array.from({ length: 1001 }, () => Math.round((rng.next() - 0.3) * 2000));
  it.each([0, 0.5, 13.7, 50, 99.5, 100])('q=%s matches a full sort for float32 and int16 arrays', (q) => {
    expect(percentile(Float32Array.from(xs), q)).toBeCloseTo(npPercentile(xs, q), 6);
    expect(percentile(Int16Array.from(xs), q)).toBeCloseTo(npPercentile(xs, q), 9);
  });
  it('numpy example: percentile([1,2,3,4], [0.5, 99.5]) = [1.015, 3.985]', () => {
    const p = percentiles(new Float64Array([4, 1, 3, 2]), [0.5, 99.5]);
    expect(p[0]).toBeCloseTo(1.015, 12);
    expect(p[1]).toBeCloseTo(3.985, 12);
  });
  it('mask restricts the sample', () => {
    expect(percentile(new Float32Array([100, 1, 2, 3]), 100, [0, 1, 1, 1])).toBe(3);
  });
});

describe('intensity', () => {
  it('percentileClip clips to the 0.5 / 99.5 percentiles', () => {
    const data = new Float32Array(1000).map((_, i) => i);
    data[0] = -1e6;
    data[999] = 1e6;
    const out = percentileClip(vol(data, [10, 10, 10]));
    const [lo, hi] = percentiles(data, [0.5, 99.5]);
    expect(Math.min(...out.data)).toBeCloseTo(lo, 3);
    expect(Math.max(...out.data)).toBeCloseTo(hi, 3);
    expect(out.data[500]).toBe(500);
  });

  it('zScore gives mean 0 / std 1; foreground mode uses voxels > 0 only', () => {
    const data = Float32Array.from({ length: 64 }, (_, i) => (i < 32 ? 0 : i));
    const z = zScore(vol(data, [4, 4, 4]));
    const zd = Array.from(z.data);
    const mean = zd.reduce((a, b) => a + b, 0) / 64;
    const std = Math.sqrt(zd.reduce((a, b) => a + (b - mean) ** 2, 0) / 64);
    expect(mean).toBeCloseTo(0, 6);
    expect(std).toBeCloseTo(1, 5);
    const f = zScore(vol(data, [4, 4, 4]), { foreground: true, background: 'zero' });
    const fg = Array.from(f.data.subarray(32));
    expect(fg.reduce((a, b) => a + b, 0) / 32).toBeCloseTo(0, 6);
    expect(f.data[0]).toBe(0);
    const noisy = zScore(vol(data, [4, 4, 4]), { foreground: true, background: 'noise', seed: 3 });
    expect(Array.from(noisy.data)).toEqual(Array.from(zScore(vol(data, [4, 4, 4]), { foreground: true, background: 'noise', seed: 3 }).data));
    expect(noisy.data[0]).not.toBe(noisy.data[1]);
  });

  it('huWindow clips to the liver window and can rescale to [0, 1]', () => {
    const v = vol(Int16Array.from([-1000, -200, 0, 250, 3000, 25, 25, 25]), [2, 2, 2]);
    expect(Array.from(huWindow(v).data)).toEqual([-200, -200, 0, 250, 250, 25, 25, 25]);
    expect(huWindow(v, [-200, 250], { rescale: true }).data[3]).toBe(1);
  });
});

describe('crop, expand, pad and paste back', () => {
  const dims: Vec3 = [8, 7, 6];
  const data = new Int16Array(8 * 7 * 6).fill(-1024);
  // foreground block i 2..5, j 1..3, k 2..4
  for (let k = 2; k <= 4; k++) for (let j = 1; j <= 3; j++) for (let i = 2; i <= 5; i++) data[i + 8 * (j + 7 * k)] = 40 + i + j + k;
  const v = vol(data, dims, [0.5, 0.6, 2], [10, 20, 30]);

  it('foregroundCrop drops all-background borders (background = corner value) and keeps world positions', () => {
    const { volume, box } = foregroundCrop(v);
    expect(box).toEqual({ start: [2, 1, 2], size: [4, 3, 3] });
    expect(volume.dims).toEqual([4, 3, 3]);
    expect(volume.data[0]).toBe(data[2 + 8 * (1 + 7 * 2)]);
    expect(applyAffine(volume.affine, [0, 0, 0])).toEqual(applyAffine(v.affine, [2, 1, 2]));
    expect(Array.from(pasteBox(volume.data, box, dims, -1024))).toEqual(Array.from(data));
  });

  it('boundingBox of a label, expandBox with fixed margin and padding beyond the edge', () => {
    const box = boundingBox(data, dims, { background: -1024 })!;
    const grown = expandBox(box, { margin: [3, 3, 3] });
    expect(grown).toEqual({ start: [-1, -2, -1], size: [10, 9, 9] });
    const crop = cropBox(v, grown, -2000);
    expect(crop.dims).toEqual([10, 9, 9]);
    expect(crop.data[0]).toBe(-2000); // padding
    expect(crop.data[1 + 10 * (2 + 9 * 1)]).toBe(-1024); // voxel (0,0,0) of the source
    expect(Array.from(pasteBox(crop.data, grown, dims))).toEqual(Array.from(data));
    expect(expandBox(box, { margin: [3, 3, 3], clampTo: dims })).toEqual({ start: [0, 0, 0], size: [8, 7, 6] });
    expect(expandBox(box, { minSize: [10, 3, 3] }).size).toEqual([10, 3, 3]);
  });

  it('random expansion is reproducible with a seed and bounded', () => {
    const box = { start: [10, 10, 10] as Vec3, size: [5, 5, 5] as Vec3 };
    const a = expandBox(box, { randomMax: [4, 4, 4], rng: seededRandom(42) });
    const b = expandBox(box, { randomMax: [4, 4, 4], rng: seededRandom(42) });
    expect(a).toEqual(b);
    for (let i = 0; i < 3; i++) {
      expect(a.start[i]).toBeGreaterThanOrEqual(6);
      expect(a.start[i]).toBeLessThanOrEqual(10);
      expect(a.size[i]).toBeLessThanOrEqual(13);
    }
    expect(() => expandBox(box, { randomMax: [1, 1, 1] })).toThrow(/seeded rng/);
  });
});

describe('spacing and resizing', () => {
  it('medianSpacing is per-axis numpy median', () => {
    const m = medianSpacing([[1, 1, 5], [0.8, 0.8, 2.5], [0.7, 0.7, 1], [0.6, 0.9, 3]]);
    [0.75, 0.85, 2.75].forEach((x, a) => expect(m[a]).toBeCloseTo(x, 12));
    expect(medianSpacing([[1, 2, 3], [3, 2, 1], [2, 2, 2]])).toEqual([2, 2, 2]);
  });

  it('resampleToSpacing keeps the field of view', () => {
    const v = vol(new Float32Array(20 * 20 * 10).fill(3), [20, 20, 10], [0.5, 0.5, 2]);
    const r = resampleToSpacing(v, [1, 1, 1]);
    expect(r.dims).toEqual([10, 10, 20]);
    expect(r.spacing.map((s) => +s.toFixed(9))).toEqual([1, 1, 1]);
    expect(r.data[555]).toBeCloseTo(3, 6);
  });

  it('med3dPreprocess → model grid → mapToSource puts a mask back on the source grid', () => {
    const dims: Vec3 = [40, 36, 24];
    const src = vol(new Int16Array(40 * 36 * 24).fill(-1000), dims, [0.8, 0.8, 2.5], [-16, -14, -30]);
    const truth = new Uint8Array(src.data.length);
    let p = 0;
    for (let k = 0; k < 24; k++)
      for (let j = 0; j < 36; j++)
        for (let i = 0; i < 40; i++, p++) {
          const w = applyAffine(src.affine, [i, j, k]);
          if (Math.hypot(w[0], w[1], w[2]) < 9) {
            src.data[p] = 60;
            truth[p] = 1;
          }
        }
    const pre = med3dPreprocess(src, { spacing: [1, 1, 1], huWindow: [-200, 250], inputDims: [16, 16, 16], cropForeground: true });
    expect(pre.input.dims).toEqual([16, 16, 16]);
    expect(pre.input.data).toBeInstanceOf(Float32Array);
    expect(pre.steps.length).toBe(6);
    // "model": threshold the normalised input
    const pred = { ...pre.input, data: Uint8Array.from(pre.input.data, (x) => (x > 0 ? 1 : 0)) };
    const back = mapToSource(pred, pre.sourceGrid);
    expect(back.dims).toEqual(dims);
    let inter = 0;
    let sum = 0;
    for (let i = 0; i < truth.length; i++) {
      inter += truth[i] & back.data[i];
      sum += truth[i] + back.data[i];
    }
    expect((2 * inter) / sum).toBeGreaterThan(0.85);
    const resized = resizeTo(src, [20, 18, 12]);
    expect(resized.spacing.map((s) => +s.toFixed(9))).toEqual([1.6, 1.6, 5]);
  });
});
