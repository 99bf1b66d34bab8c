import { describe, it, expect } from 'vitest';
import { generateCtPhantom, LUNG_LABELS, NODULE_LABELS } from './ctPhantom';

const phantom = generateCtPhantom({ dims: [96, 96, 64], seed: 7 });

function statsWhere(data: ArrayLike<number>, mask: (idx: number) => boolean): { mean: number; count: number } {
  let s = 0;
  let c = 0;
  for (let i = 0; i < data.length; i++) {
    if (mask(i)) {
      s += data[i];
      c++;
    }
  }
  return { mean: c ? s / c : NaN, count: c };
}

describe('generateCtPhantom', () => {
  it('returns an int16 HU volume and label maps on one RAS+ grid', () => {
    const { ct, truth } = phantom;
    expect(ct.data).toBeInstanceOf(Int16Array);
    expect(ct.dims).toEqual([96, 96, 64]);
    expect(ct.data.length).toBe(96 * 96 * 64);
    for (const lm of [truth.lungs, truth.liver, truth.nodules]) {
      expect(lm.dims).toEqual(ct.dims);
      expect(Array.from(lm.affine)).toEqual(Array.from(ct.affine));
    }
    // Column norms of the affine equal the spacing; centre voxel sits near world origin.
    expect(Math.abs(ct.affine[0])).toBeCloseTo(ct.spacing[0]);
    expect(Math.abs(ct.affine[5])).toBeCloseTo(ct.spacing[1]);
    expect(ct.affine[10]).toBeCloseTo(ct.spacing[2]);
  });

  it('has textbook HU per tissue', () => {
    const { ct, truth } = phantom;
    const d = ct.data;
    const lungs = truth.lungs.data;
    const nod = truth.nodules.data;
    const lung = statsWhere(d, (i) => lungs[i] !== 0 && nod[i] === 0);
    const liver = statsWhere(d, (i) => truth.liver.data[i] === 1);
    expect(lung.mean).toBeGreaterThan(-900);
    expect(lung.mean).toBeLessThan(-750); // vessels raise it a little above -860
    expect(liver.mean).toBeGreaterThan(45);
    expect(liver.mean).toBeLessThan(70);
    expect(d[0]).toBeLessThan(-900); // corner: air
    let bone = 0;
    for (let i = 0; i < d.length; i++) if (d[i] > 500) bone++;
    expect(bone).toBeGreaterThan(100);
    const nodules = statsWhere(d, (i) => nod[i] !== 0);
    expect(nodules.mean).toBeGreaterThan(0);
    expect(nodules.mean).toBeLessThan(200);
  });

  it('has plausible organ volumes (mL) and both lungs', () => {
    const { ct, truth } = phantom;
    const ml = (ct.spacing[0] * ct.spacing[1] * ct.spacing[2]) / 1000;
    const right = statsWhere(truth.lungs.data, (i) => truth.lungs.data[i] === LUNG_LABELS.right).count * ml;
    const left = statsWhere(truth.lungs.data, (i) => truth.lungs.data[i] === LUNG_LABELS.left).count * ml;
    const liver = statsWhere(truth.liver.data, (i) => truth.liver.data[i] === 1).count * ml;
    expect(right).toBeGreaterThan(1000);
    expect(right).toBeLessThan(3500);
    expect(left).toBeGreaterThan(1000);
    expect(left).toBeLessThan(3500);
    expect(liver).toBeGreaterThan(1000);
    expect(liver).toBeLessThan(2500);
  });

  it('places benign and malignant nodules inside the lungs, recorded in the list', () => {
    const { ct, truth, nodules } = phantom;
    expect(nodules.length).toBe(4);
    expect(nodules.some((n) => n.malignant)).toBe(true);
    expect(nodules.some((n) => !n.malignant)).toBe(true);
    const [nx, ny] = ct.dims;
    for (const n of nodules) {
      const [i, j, k] = n.centerVoxel.map(Math.round);
      const idx = i + nx * (j + ny * k);
      expect(truth.nodules.data[idx]).toBe(n.malignant ? NODULE_LABELS.malignant : NODULE_LABELS.benign);
      expect(truth.lungs.data[idx]).toBe(n.lung === 'right' ? LUNG_LABELS.right : LUNG_LABELS.left);
      expect(n.lidcMalignancy >= 4).toBe(n.malignant);
      // World and voxel centres agree through the affine.
      const a = ct.affine;
      const v = n.centerVoxel;
      for (let r = 0; r < 3; r++) expect(a[r * 4] * v[0] + a[r * 4 + 1] * v[1] + a[r * 4 + 2] * v[2] + a[r * 4 + 3]).toBeCloseTo(n.centerWorld[r], 6);
      // Right lung is at world x > 0 (RAS+).
      expect(n.centerWorld[0] > 0).toBe(n.lung === 'right');
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const again = generateCtPhantom({ dims: [96, 96, 64], seed: 7 });
    expect(Buffer.from(again.ct.data.buffer).equals(Buffer.from(phantom.ct.data.buffer))).toBe(true);
    expect(Buffer.from(again.truth.lungs.data.buffer).equals(Buffer.from(phantom.truth.lungs.data.buffer))).toBe(true);
    const other = generateCtPhantom({ dims: [96, 96, 64], seed: 8 });
    expect(Buffer.from(other.ct.data.buffer).equals(Buffer.from(phantom.ct.data.buffer))).toBe(false);
  });

  it('keeps anatomy in millimetres across grid sizes', () => {
    const fine = generateCtPhantom({ dims: [128, 128, 80], seed: 7, noiseHu: 0 });
    const mlOf = (p: typeof fine): number => {
      let c = 0;
      for (const v of p.truth.lungs.data) if (v) c++;
      return (c * p.ct.spacing[0] * p.ct.spacing[1] * p.ct.spacing[2]) / 1000;
    };
    expect(Math.abs(mlOf(fine) - mlOf(phantom)) / mlOf(fine)).toBeLessThan(0.05);
  });

  it('rejects impossible grids', () => {
    expect(() => generateCtPhantom({ dims: [4, 4, 4] })).toThrow(/dims/);
    expect(() => generateCtPhantom({ dims: [32, 32, 32], spacing: [1, 0, 1] })).toThrow(/spacing/);
  });
});
