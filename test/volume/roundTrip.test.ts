import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelMap, Volume } from '../../main/volume/Volume';
import { axisCodes } from '../../main/volume/geometry/orientation';
import { gridOf } from '../../main/volume/geometry/grid';
import { reorientToCanonical, undoReorient } from '../../main/volume/geometry/reorient';
import { gridWithSpacing, resampleToGrid } from '../../main/volume/geometry/resample';
import { loadVolume } from '../../main/volume/io/loadVolume';
import { boundingBox, cropBox, expandBox, pasteBox } from '../../main/volume/preprocess/box';
import { readNifti } from '../../main/volume/io/nifti/readNifti';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { readDicomSeg } from '../../main/volume/io/seg/readDicomSeg';
import { writeDicomSeg } from '../../main/volume/io/seg/writeDicomSeg';
import { DATA_DIR, sharedAvailable } from '../sharedDir';

/**
 * Cross-module geometry: a real DICOM series (D's loader), a TotalSegmentator mask on its grid (NIfTI),
 * our writers and resamplers. Geometry slips (flips, shifts) show up as wrong HU under the mask.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Number of differing elements (vitest's deep equality is far too slow on million-voxel arrays). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function dice(a: ArrayLike<number>, b: ArrayLike<number>, label: number): number {
  let inter = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === label ? 1 : 0;
    const y = b[i] === label ? 1 : 0;
    inter += x & y;
    sum += x + y;
  }
  return (2 * inter) / sum;
}

const LIVER = 5;
const SPLEEN = 1;

describe.skipIf(!sharedAvailable('series/totalseg_example_ct_dicom + its NIfTI mask'))('series ↔ NIfTI ↔ masks, voxel for voxel', () => {
  let ct: Volume;
  let mask: LabelMap;
  beforeAll(async () => {
    ct = await loadVolume(path.join(DATA_DIR, 'series/totalseg_example_ct_dicom'));
    const m = await readNifti(path.join(DATA_DIR, 'nifti/masks/example_seg_dicom.nii.gz'));
    // TotalSegmentator wrote the mask in its own axis order: put it on the series grid (pure flips, exact).
    const onGrid = resampleToGrid(m, gridOf(ct), { interpolation: 'nearest', fill: 0 });
    // Keep liver and spleen only (the labels this test checks).
    const data = Uint8Array.from(onGrid.data, (v) => (v === LIVER || v === SPLEEN ? v : 0));
    mask = { ...onGrid, data, labels: [{ value: LIVER, name: 'Liver' }, { value: SPLEEN, name: 'Spleen' }] };
  });

  it('the TotalSegmentator mask lands on soft tissue (> 95% of liver/spleen voxels in [-20, 150] HU); flipped, it would not', () => {
    expect(ct.dims).toEqual([512, 512, 20]);
    expect(mask.dims).toEqual(ct.dims);
    const [nx, ny] = ct.dims;
    const softTissue = (label: number, flipJ: boolean): number => {
      let n = 0;
      let ok = 0;
      for (let i = 0; i < mask.data.length; i++) {
        if (mask.data[i] !== label) continue;
        n++;
        const x = i % nx;
        const y = Math.floor(i / nx) % ny;
        const z = Math.floor(i / (nx * ny));
        const hu = ct.data[flipJ ? x + nx * (ny - 1 - y + ny * z) : i];
        if (hu > -20 && hu < 150) ok++;
      }
      return ok / n;
    };
    expect(softTissue(LIVER, false)).toBeGreaterThan(0.95);
    expect(softTissue(SPLEEN, false)).toBeGreaterThan(0.95);
    // The same check on the mask flipped front-to-back fails: it is sensitive to geometry slips.
    expect(softTissue(SPLEEN, true)).toBeLessThan(0.6);
  });

  it('series → NIfTI → back onto the series grid is voxel-exact', async () => {
    const file = path.join(dir, 'ct.nii.gz');
    await writeNifti(file, ct, { compressionLevel: 1 });
    const back = await readNifti(file);
    expect(back.dims).toEqual(ct.dims);
    for (let i = 0; i < 16; i++) expect(back.affine[i]).toBeCloseTo(ct.affine[i], 4);
    const onGrid = resampleToGrid(back, gridOf(ct), { interpolation: 'linear', keepType: true });
    expect(onGrid.data.constructor).toBe(ct.data.constructor);
    expect(differing(onGrid.data, ct.data)).toBe(0);
  });

  it('RAS canonical → NIfTI → back → undo is voxel-exact', async () => {
    const { volume: ras, transform } = reorientToCanonical(mask);
    expect(axisCodes(ras.affine)).toBe('RAS');
    const file = path.join(dir, 'mask-ras.nii.gz');
    await writeNifti(file, ras);
    const back = undoReorient(await readNifti(file), transform);
    expect(differing(back.data, mask.data)).toBe(0);
  });

  it('a mask written on a resampled grid maps back onto the source grid (exact for a finer grid, Dice > 0.9 for 2 mm)', async () => {
    // Work on the box around liver and spleen (real geometry, fewer voxels: keeps the test fast).
    const box = expandBox(boundingBox(mask.data, mask.dims)!, { margin: [4, 4, 1], clampTo: mask.dims });
    const roi = cropBox(mask, box);
    const fineFile = path.join(dir, 'fine.nii.gz');
    const fine = resampleToGrid(roi, gridWithSpacing(roi, [0.48828125, 0.48828125, 1]), { interpolation: 'nearest' });
    await writeNifti(fineFile, fine, { compressionLevel: 1 });
    const fineBack = resampleToGrid(await readNifti(fineFile), gridOf(roi), { interpolation: 'label' });
    expect(differing(fineBack.data, roi.data)).toBe(0);

    const coarseFile = path.join(dir, 'coarse.nii.gz');
    await writeNifti(coarseFile, resampleToGrid(roi, gridWithSpacing(roi, [2, 2, 2]), { interpolation: 'label' }));
    const coarseBack = resampleToGrid(await readNifti(coarseFile), gridOf(ct), { interpolation: 'label' });
    const roiOnCt = pasteBox(roi.data, box, ct.dims);
    expect(differing(roiOnCt, mask.data)).toBe(0);
    expect(dice(coarseBack.data, mask.data, LIVER)).toBeGreaterThan(0.9);
    expect(dice(coarseBack.data, mask.data, SPLEEN)).toBeGreaterThan(0.9);
  });

  it('mask → DICOM SEG over the series → back onto the series grid is voxel-exact', async () => {
    const two = mask.data;
    const lm: LabelMap = mask;
    const file = path.join(dir, 'mask.seg.dcm');
    await writeDicomSeg(file, lm, { source: ct });
    const back = await readDicomSeg(file, { reference: ct });
    // SEG numbers segments 1..N (PS3.3 C.8.20.2); map them back to our label values by name.
    expect(back.labels.map((l) => [l.value, l.name])).toEqual([[1, 'Liver'], [2, 'Spleen']]);
    const toOurs = [0, LIVER, SPLEEN];
    expect(differing(Uint8Array.from(back.data, (v) => toOurs[v]), two)).toBe(0);
  });
});
