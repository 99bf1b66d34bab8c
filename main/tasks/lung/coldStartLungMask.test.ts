import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { coldStartLungMask } from './coldStartLungMask';
import { LUNG_LABELS } from './lungLabels';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { dice } from '../mask/maskMetrics';
import { dilateMm } from '../mask/morphology';
import type { Vec3, Volume } from '../../volume/Volume';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { DATA_DIR, sharedAvailable } from '../../../test/sharedDir';

const phantom = generateCtPhantom({ dims: [128, 128, 80], seed: 3 });

/** Reverse the i and k axes of a volume, keeping world positions (affine updated). */
function flipIK(v: Volume): Volume {
  const [nx, ny, nz] = v.dims;
  const out = new Int16Array(v.data.length);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) out[nx - 1 - i + nx * (j + ny * (nz - 1 - k))] = v.data[i + nx * (j + ny * k)];
  const a = v.affine;
  const b = new Float64Array(a);
  for (let r = 0; r < 3; r++) {
    b[r * 4 + 3] = a[r * 4 + 3] + a[r * 4] * (nx - 1) + a[r * 4 + 2] * (nz - 1);
    b[r * 4] = -a[r * 4];
    b[r * 4 + 2] = -a[r * 4 + 2];
  }
  return { ...v, data: out, affine: b };
}

describe('coldStartLungMask on the phantom', () => {
  it('finds both lungs with Dice >= 0.95 and the right side labels', () => {
    const r = coldStartLungMask(phantom.ct);
    expect(dice(r.mask.data, phantom.truth.lungs.data)).toBeGreaterThanOrEqual(0.95);
    expect(dice(r.mask.data, phantom.truth.lungs.data, LUNG_LABELS.right, LUNG_LABELS.right)).toBeGreaterThanOrEqual(0.95);
    expect(dice(r.mask.data, phantom.truth.lungs.data, LUNG_LABELS.left, LUNG_LABELS.left)).toBeGreaterThanOrEqual(0.95);
    expect(r.notes.join(' ')).toMatch(/airway removed/);
    expect(r.mask.dims).toEqual(phantom.ct.dims);
    expect(r.volumesMl.total).toBeCloseTo(r.volumesMl.left + r.volumesMl.right, 6);
  });

  it('excludes trachea, stomach gas and outside air', () => {
    const r = coldStartLungMask(phantom.ct);
    // Boundary voxels may go either way; anything farther than one voxel from a lung is an error.
    const near = dilateMm(phantom.truth.lungs.data as Uint8Array, phantom.ct.dims, phantom.ct.spacing, Math.max(...phantom.ct.spacing) * 1.01);
    let falsePos = 0;
    for (let p = 0; p < r.mask.data.length; p++) if (r.mask.data[p] && !near[p]) falsePos++;
    const ml = (phantom.ct.spacing[0] * phantom.ct.spacing[1] * phantom.ct.spacing[2]) / 1000;
    expect(falsePos * ml).toBeLessThan(2);
  });

  it('does not depend on the storage orientation', () => {
    const flipped = flipIK(phantom.ct);
    const r = coldStartLungMask(flipped);
    const truth = flipIK({ ...phantom.truth.lungs, data: new Int16Array(phantom.truth.lungs.data) });
    expect(dice(r.mask.data, truth.data, LUNG_LABELS.right, LUNG_LABELS.right)).toBeGreaterThanOrEqual(0.95);
    expect(dice(r.mask.data, truth.data, LUNG_LABELS.left, LUNG_LABELS.left)).toBeGreaterThanOrEqual(0.95);
  });

  it('splits lungs that touch at an anterior junction', () => {
    const ct: Volume = { ...phantom.ct, data: new Int16Array(phantom.ct.data) };
    const [nx, ny, nz] = ct.dims;
    // A 5-voxel-wide bridge of lung tissue across the mediastinum, through 10 slices.
    const jMid = Math.round(ny * 0.5);
    const kMid = Math.round(nz * 0.75);
    for (let k = kMid - 5; k < kMid + 5; k++)
      for (let j = jMid - 2; j <= jMid + 2; j++)
        for (let i = Math.round(nx * 0.3); i < Math.round(nx * 0.7); i++) {
          const p = i + nx * (j + ny * k);
          if (ct.data[p] > -500) ct.data[p] = -850;
        }
    const r = coldStartLungMask(ct);
    expect(r.notes.join(' ')).toMatch(/joined/);
    expect(dice(r.mask.data, phantom.truth.lungs.data, LUNG_LABELS.right, LUNG_LABELS.right)).toBeGreaterThanOrEqual(0.9);
    expect(dice(r.mask.data, phantom.truth.lungs.data, LUNG_LABELS.left, LUNG_LABELS.left)).toBeGreaterThanOrEqual(0.9);
  });

  it('returns an empty mask with a note on a scan without lungs', () => {
    const dims: Vec3 = [32, 32, 16];
    const data = new Int16Array(32 * 32 * 16).fill(40);
    const vol: Volume = { data, dims, spacing: [1, 1, 1], affine: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } };
    const r = coldStartLungMask(vol);
    expect(r.volumesMl.total).toBe(0);
    expect(r.notes.join(' ')).toMatch(/no lung-like/);
  });
});

const realCt = path.join(DATA_DIR, 'nifti', 'ct', 'example_ct_sm.nii.gz');
const realSeg = path.join(DATA_DIR, 'nifti', 'masks', 'example_seg.nii.gz');
describe.skipIf(!sharedAvailable('real CT lung check') || !existsSync(realCt))('coldStartLungMask on real CT (../shared/data)', () => {
  it('finds the lung bases of example_ct_sm with a plausible volume and overlap', async () => {
    const ct = await readNifti(realCt);
    const seg = await readNifti(realSeg);
    const r = coldStartLungMask(ct);
    // TotalSegmentator labels 10-14 are the five lung lobes (10, 11 left; 12-14 right); 116 mL in this abdominal scan.
    const truth = new Uint8Array(seg.data.length);
    for (let p = 0; p < truth.length; p++) {
      const v = seg.data[p];
      truth[p] = v === 10 || v === 11 ? LUNG_LABELS.left : v >= 12 && v <= 14 ? LUNG_LABELS.right : 0;
    }
    expect(r.volumesMl.total).toBeGreaterThan(60);
    expect(r.volumesMl.total).toBeLessThan(250);
    expect(dice(r.mask.data, truth)).toBeGreaterThan(0.75);
    expect(dice(r.mask.data, truth, LUNG_LABELS.right, LUNG_LABELS.right)).toBeGreaterThan(0.7);
  });
});

const abdomenDicom = path.join(DATA_DIR, 'series', 'totalseg_example_ct_dicom');
describe.skipIf(!sharedAvailable('real CT lung check') || !existsSync(abdomenDicom))('coldStartLungMask on a lung-free abdominal DICOM series', () => {
  it('finds no lung in the 20-slice abdominal series (its reference labels hold none)', async () => {
    const { loadVolume } = await import('../../volume/io/loadVolume');
    const ct = await loadVolume(abdomenDicom);
    const r = coldStartLungMask(ct);
    expect(r.volumesMl.total).toBeLessThan(5);
    expect(r.notes.join(' ')).toMatch(/gas component/);
  });
});
