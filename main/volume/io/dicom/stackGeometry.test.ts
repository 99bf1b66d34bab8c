import { describe, expect, it } from 'vitest';
import { lpsAffine, lpsToRasAffine, orientationKey, planStack, type StackSlice, type V3 } from './stackGeometry';

const AXIAL = [1, 0, 0, 0, 1, 0] as [number, number, number, number, number, number];

function slices(zs: number[], opts: { ori?: typeof AXIAL; shiftY?: (z: number) => number; key?: (n: number) => string } = {}): StackSlice<number>[] {
  return zs.map((z, n) => ({
    position: [0, opts.shiftY?.(z) ?? 0, z] as V3,
    orientation: opts.ori ?? AXIAL,
    pixelSpacing: [0.5, 0.5],
    stackKey: opts.key?.(n),
    order: n,
    ref: n,
  }));
}

describe('planStack', () => {
  it('sorts along the normal and measures uniform spacing', () => {
    const p = planStack(slices([4, 0, 8, 2, 6]));
    expect(p.slices.map((s) => s.ref)).toEqual([1, 3, 0, 4, 2]);
    expect(p.spacings).toEqual([2, 2, 2, 2]);
    expect(p.uniform).toBe(true);
    expect(p.shearAngleDeg).toBe(0);
    expect(p.volumeCount).toBe(1);
  });

  it('non-uniform spacing (missing slice) is detected', () => {
    const p = planStack(slices([0, 2, 6, 8]));
    expect(p.uniform).toBe(false);
    expect(p.spacing).toBe(2);
    expect(Math.max(...p.spacings)).toBe(4);
  });

  it('shear angle from positions: atan(in-plane step / normal step)', () => {
    const p = planStack(slices([0, 2, 4], { shiftY: (z) => z * Math.tan((15 * Math.PI) / 180) }));
    expect(p.shearAngleDeg).toBeCloseTo(15, 9);
    expect(p.maxInplaneOffsetMm).toBeCloseTo(4 * Math.tan((15 * Math.PI) / 180), 9);
  });

  it('duplicate positions in equal groups are separate volumes; keys order them', () => {
    const s = slices([0, 0, 2, 2, 4, 4], { key: (n) => (n % 2 ? 'b' : 'a') });
    const v0 = planStack(s, 0);
    const v1 = planStack(s, 1);
    expect(v0.volumeCount).toBe(2);
    expect(v0.duplicatePositions).toBe(3);
    expect(v0.slices.map((x) => x.ref)).toEqual([0, 2, 4]);
    expect(v1.slices.map((x) => x.ref)).toEqual([1, 3, 5]);
    expect(v0.warnings.join()).toMatch(/2 volumes share the same 3 slice positions/);
    expect(() => planStack(s, 2)).toThrow(/volume 2 requested but the stack holds 2 volumes/);
  });

  it('uneven duplicates cannot be split: refused', () => {
    expect(() => planStack(slices([0, 0, 2, 4]))).toThrow(/repeats are uneven/);
  });

  it('mixed orientations: the largest group is used and the rest reported', () => {
    const s = [...slices([0, 1, 2]), ...slices([0, 1], { ori: [0, 1, 0, 0, 0, -1] })];
    const p = planStack(s);
    expect(p.sliceCount).toBe(3);
    expect(p.warnings.join()).toMatch(/mixed orientations: 2 ImageOrientationPatient values/);
  });

  it('non-orthogonal orientation and differing pixel spacing are refused', () => {
    expect(() => planStack(slices([0, 1], { ori: [1, 0, 0, 0.5, 0.866, 0] }))).toThrow(/not orthogonal/);
    const s = slices([0, 1]);
    s[1].pixelSpacing = [0.6, 0.5];
    expect(() => planStack(s)).toThrow(/PixelSpacing differs/);
  });
});

describe('affines', () => {
  it('LPS affine columns: row × column spacing, column × row spacing, k step; RAS negates x and y', () => {
    const lps = lpsAffine([10, 20, 30], [1, 0, 0], [0, 1, 0], [0.5, 0.7], [0, 0, 2]);
    expect(Array.from(lps)).toEqual([0.5, 0, 0, 10, 0, 0.7, 0, 20, 0, 0, 2, 30, 0, 0, 0, 1]);
    expect(Array.from(lpsToRasAffine(lps))).toEqual([-0.5, 0, 0, -10, 0, -0.7, 0, -20, 0, 0, 2, 30, 0, 0, 0, 1]);
  });

  it('orientation keys ignore float noise and signed zero', () => {
    expect(orientationKey([1, 0, 0, 0, 1, 0])).toBe(orientationKey([0.99999999, -0.0, 1e-9, 0, 1, -1e-8]));
  });
});
