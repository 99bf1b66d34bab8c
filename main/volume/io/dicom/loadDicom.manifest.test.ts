import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../test/sharedDir';
import type { Volume } from '../../Volume';
import { VolumeReadError } from '../errors';
import { readNifti } from '../nifti/readNifti';
import { loadDicom } from './loadDicom';
import { scanDicomFolder } from './scanDicomFolder';
import { sliceRefsOf, toStackSlices } from './sliceRefs';
import { planStack } from './stackGeometry';
import { loadManifest, stats, type ManifestSeries, type ValueStats } from './testing/manifest';
import { matchGrids, sampleVoxel } from './testing/gridMatch';

/**
 * DICOM series and multi-frame objects of ../shared/data against the manifest facts (pydicom) and the
 * reference NIfTI conversions (dcm2niix, dicom2nifti) shipped beside them.
 */
const has = sharedAvailable('DICOM series manifest tests (../shared/data)');
const manifest = has ? loadManifest(DATA_DIR) : undefined;
const series = manifest?.series ?? [];
const abs = (p: string): string => path.join(DATA_DIR, p);
const fileFacts = (p: string) => manifest!.files.find((f) => f.path === p)!.facts;

function expectExactStats(got: ValueStats, ref: ValueStats): void {
  expect(got.min).toBeCloseTo(ref.min, 6);
  expect(got.max).toBeCloseTo(ref.max, 6);
  expect(Math.abs(got.mean - ref.mean)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref.mean)));
  expect(Math.abs(got.std - ref.std)).toBeLessThan(1e-5 * Math.max(1, ref.std));
}

/** RAS voxel → world for the first three columns of a row-major affine. */
const col = (v: Volume, c: number): number[] => [v.affine[c], v.affine[4 + c], v.affine[8 + c]];
const lpsToRas = (p: number[]): number[] => [-p[0], -p[1], p[2]];

describe.skipIf(!has)('scanDicomFolder + planStack vs manifest series facts', () => {
  it('covers the manifest series', () => expect(series.length).toBeGreaterThanOrEqual(8));

  it.each(series.map((s) => [s.path, s] as [string, ManifestSeries]))('%s', async (_p, s) => {
    const scan = await scanDicomFolder(abs(s.path));
    expect(scan.series.length).toBe(1);
    const found = scan.series[0];
    expect(found.fileCount).toBe(s.facts.number_of_files);
    expect(found.seriesInstanceUID).toBe(s.facts.series_instance_uids[0]);
    expect([found.rows, found.columns]).toEqual([s.facts.Rows[0], s.facts.Columns[0]]);
    const plan = planStack(toStackSlices(sliceRefsOf(found.entries)));
    expect(plan.duplicatePositions).toBe(s.facts.duplicate_positions);
    if (plan.duplicatePositions === 0) {
      expect(plan.sliceCount).toBe(s.facts.number_of_files);
      const sp = s.facts.slice_spacing_mm;
      expect(plan.spacing).toBeCloseTo(sp.median, 4);
      expect(Math.min(...plan.spacings)).toBeCloseTo(sp.min, 4);
      expect(Math.max(...plan.spacings)).toBeCloseTo(sp.max, 4);
      expect(plan.uniform).toBe(s.facts.slice_spacing_uniform);
      // Sorted order: first slice position matches the reference sort.
      plan.slices[0].position.forEach((v, i) => expect(v).toBeCloseTo(s.facts.first_ImagePositionPatient[i], 4));
    }
    plan.normal.forEach((v, i) => expect(v).toBeCloseTo(s.facts.slice_normal[i], 5));
    if (s.facts.stack_shear_angle_deg !== undefined) expect(plan.shearAngleDeg).toBeCloseTo(s.facts.stack_shear_angle_deg, 1);
    expect(plan.maxInplaneOffsetMm > 0.01).toBe(s.facts.max_inplane_offset_between_slices_mm > 0.01);
  });
});

describe.skipIf(!has)('loadDicom on the manifest series', () => {
  const plain = series.filter((s) => s.facts.slice_spacing_uniform && (s.facts.stack_shear_angle_deg ?? 0) === 0 && s.facts.duplicate_positions === 0);

  it.each(plain.map((s) => [s.path, s] as [string, ManifestSeries]))('%s: exact grid and values', async (_p, s) => {
    const v = await loadDicom(abs(s.path));
    const [nz, ny, nx] = s.facts.volume_shape_zyx;
    expect(v.dims).toEqual([nx, ny, nz]);
    expectExactStats(stats([v.data]), (s.facts.volume_HU_stats ?? s.facts.volume_rescaled_stats)!);
    // Affine: origin = first IPP, k column = normal × spacing, i/j columns = IOP × PixelSpacing (RAS).
    lpsToRas(s.facts.first_ImagePositionPatient).forEach((x, i) => expect(v.affine[i * 4 + 3]).toBeCloseTo(x, 4));
    lpsToRas(s.facts.slice_normal).forEach((x, i) => expect(col(v, 2)[i]).toBeCloseTo(x * s.facts.slice_spacing_mm.median, 4));
    expect(v.spacing[0]).toBeCloseTo(s.facts.PixelSpacing[1], 5);
    expect(v.spacing[1]).toBeCloseTo(s.facts.PixelSpacing[0], 5);
    expect(v.meta.dicom?.sopInstanceUIDs?.length).toBe(nz);
    expect(v.meta.warnings.filter((w) => /spacing|shear|position/.test(w))).toEqual([]);
  });

  it('dicom2nifti_compressed_jpegls: same grid and voxels as the dicom2nifti ground truth', async () => {
    const v = await loadDicom(abs('series/dicom2nifti_compressed_jpegls'));
    const ref = await readNifti(abs('series/dicom2nifti_compressed_jpegls_ground_truth.nii.gz'));
    const refAffine = fileFacts('series/dicom2nifti_compressed_jpegls_ground_truth.nii.gz').affine!;
    const m = matchGrids(v, ref, 1e-3);
    expect(m, 'grids match up to axis flips').toBeDefined();
    // The NIfTI reader and the manifest agree on the reference affine.
    refAffine.forEach((row, r) => row.forEach((x, c) => expect(ref.affine[r * 4 + c]).toBeCloseTo(x, 4)));
    let diff = 0;
    for (let k = 0; k < ref.dims[2]; k++)
      for (let j = 0; j < ref.dims[1]; j++)
        for (let i = 0; i < ref.dims[0]; i++) diff += Math.abs(sampleVoxel(v, m!, [i, j, k]) - ref.data[i + ref.dims[0] * (j + ref.dims[1] * k)]);
    expect(diff).toBe(0);
  });

  it('totalseg_example_ct_dicom: on the grid of its reference segmentation (nifti/masks/example_seg_dicom.nii.gz)', async () => {
    const v = await loadDicom(abs('series/totalseg_example_ct_dicom'));
    const facts = fileFacts('nifti/masks/example_seg_dicom.nii.gz');
    const ref = { dims: facts.shape as [number, number, number], affine: Float64Array.from(facts.affine!.flat()) };
    expect(matchGrids(v, ref, 1e-3)).toBeDefined();
    expect(v.meta.warnings.join(' ')).toMatch(/lossy|^$/);
  });

  it('dcm_qa_ct_Philips_tilt: 18.5° shear is resampled onto an orthogonal grid', async () => {
    const s = series.find((x) => x.path === 'series/dcm_qa_ct_Philips_tilt')!;
    const v = await loadDicom(abs(s.path));
    expect(v.dims).toEqual([512, 512, 54]);
    expect(v.data).toBeInstanceOf(Int16Array); // HU stay int16 through the resampling (half the memory of float32)
    const [c0, c1, c2] = [col(v, 0), col(v, 1), col(v, 2)];
    const dot = (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    expect(Math.abs(dot(c0, c2))).toBeLessThan(1e-6);
    expect(Math.abs(dot(c1, c2))).toBeLessThan(1e-6);
    expect(v.spacing[2]).toBeCloseTo(s.facts.slice_spacing_mm.median, 4);
    const st = stats([v.data]);
    const ref = s.facts.volume_HU_stats!;
    expect(st.min).toBeGreaterThanOrEqual(ref.min);
    expect(st.max).toBeLessThanOrEqual(ref.max);
    expect(v.meta.warnings.join(' ')).toMatch(/sheared stack \(gantry tilt 18\.50° \(GantryDetectorTilt -18\.5°\)\): resampled/);
    // The first slice is not shifted: identical to the stored first slice.
    const keep = await loadDicom(abs(s.path), { shear: 'keep' });
    for (let p = 0; p < 512 * 512; p += 997) expect(v.data[p]).toBeCloseTo(keep.data[p], 4);
  });

  it('dcm_qa_ct_Philips_tilt with shear "keep": exact values and the sheared affine', async () => {
    const s = series.find((x) => x.path === 'series/dcm_qa_ct_Philips_tilt')!;
    const v = await loadDicom(abs(s.path), { shear: 'keep' });
    expectExactStats(stats([v.data]), s.facts.volume_HU_stats!);
    const first = lpsToRas(s.facts.first_ImagePositionPatient);
    const lastLps = [-123.5, -15.64097, 874.845191756896];
    const step = lpsToRas(lastLps).map((x, i) => (x - first[i]) / 53);
    step.forEach((x, i) => expect(col(v, 2)[i]).toBeCloseTo(x, 4));
    expect(v.meta.warnings.join(' ')).toMatch(/kept the exact sheared affine/);
  });

  it('dcm_qa_ct_GE_tilt: tilt and irregular spacing are both reported and corrected', async () => {
    const s = series.find((x) => x.path === 'series/dcm_qa_ct_GE_tilt')!;
    const v = await loadDicom(abs(s.path));
    const span = s.facts.slice_spacing_mm.mean * (s.facts.number_of_files - 1);
    expect(v.dims[2]).toBe(Math.round(span / s.facts.slice_spacing_mm.median) + 1);
    expect(v.spacing[2]).toBeCloseTo(s.facts.slice_spacing_mm.median, 4);
    const w = v.meta.warnings.join(' | ');
    expect(w).toMatch(/gantry tilt 18\.50°/);
    expect(w).toMatch(/non-uniform slice spacing/);
    const st = stats([v.data]);
    expect(st.min).toBeGreaterThanOrEqual(s.facts.volume_HU_stats!.min);
    expect(st.max).toBeLessThanOrEqual(s.facts.volume_HU_stats!.max);
    await expect(loadDicom(abs(s.path), { shear: 'keep' })).resolves.toBeDefined(); // irregular: still resampled
  });

  it('dicom2nifti_gantrytilting: tilt found from positions alone (no GantryDetectorTilt)', async () => {
    const v = await loadDicom(abs('series/dicom2nifti_gantrytilting'));
    expect(v.meta.warnings.join(' ')).toMatch(/gantry tilt 14\.00°\): resampled/);
    expect(v.dims).toEqual([512, 512, 4]);
  });

  it('dicom2nifti_sliceincrement: the missing slice is reported and interpolated on a uniform grid', async () => {
    const v = await loadDicom(abs('series/dicom2nifti_sliceincrement'));
    expect(v.dims).toEqual([512, 512, 5]);
    expect(v.spacing[2]).toBeCloseTo(5, 4);
    expect(v.meta.warnings.join(' ')).toMatch(/1 slice\(s\) interpolated across gaps/);
  });

  it('dicom2nifti_notavolume: four images at one position are not stacked; frame picks one', async () => {
    const v = await loadDicom(abs('series/dicom2nifti_notavolume'));
    expect(v.dims).toEqual([512, 512, 1]);
    expect(v.meta.warnings.join(' ')).toMatch(/all 4 images share one position/);
    const v3 = await loadDicom(abs('series/dicom2nifti_notavolume'), { frame: 3 });
    expect(v3.dims).toEqual([512, 512, 1]);
    await expect(loadDicom(abs('series/dicom2nifti_notavolume'), { frame: 4 })).rejects.toThrow(VolumeReadError);
  });

  it('a folder holding several series loads the largest and lists the others; seriesInstanceUID picks', async () => {
    const v = await loadDicom(abs('series'));
    expect(v.dims[2]).toBe(54); // dcm_qa_ct_Philips_tilt has the most images
    expect(v.meta.warnings.join(' ')).toMatch(/folder holds \d+ image series/);
    const uid = series.find((x) => x.path === 'series/dcmqi_ct-3slice')!.facts.series_instance_uids[0];
    const w = await loadDicom(abs('series'), { seriesInstanceUID: uid });
    expect(w.dims).toEqual([512, 512, 3]);
    await expect(loadDicom(abs('series'), { seriesInstanceUID: '1.2.3' })).rejects.toThrow(/no series with SeriesInstanceUID 1\.2\.3/);
  });
});

describe.skipIf(!has)('loadDicom: every malformed manifest file gives a one-line VolumeReadError naming it', () => {
  const bad = (manifest?.files ?? []).filter((f) => f.expect === 'error' && f.path.startsWith('dicom/'));
  it.each(bad.map((f) => f.path))('%s', async (p) => {
    const err = await loadDicom(abs(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeReadError);
    expect((err as Error).message).toContain(abs(p));
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('GH177 (CP-246 UN sequence in a Big Endian file) loads as the CT1 image, with a note', async () => {
    const v = await loadDicom(abs('dicom/encoding/GH177_D_CLUNIE_CT1_IVRLE_BigEndian_undefined_length.dcm'));
    const ref = await loadDicom(abs('dicom/encoding/CT1_UNC.explicit_big_endian.dcm'));
    expect(Array.from(v.affine)).toEqual(Array.from(ref.affine));
    expect(stats([v.data])).toEqual(stats([ref.data]));
    expect(v.meta.warnings.join(' ')).toMatch(/CP-246/);
  });

  it.each(['1', '5', '9'])('Siemens mosaic transfer-syntax-set/%s.dcm unpacks to the dcm2niix reference Ref_1.nii voxel for voxel', async (n) => {
    const v = await loadDicom(abs(`dicom/transfer-syntax-set/${n}.dcm`));
    const ref = await readNifti(abs('dicom/transfer-syntax-set/Ref_1.nii'));
    expect(v.dims).toEqual(fileFacts('dicom/transfer-syntax-set/Ref_1.nii').shape);
    const m = matchGrids(v, ref, 1e-3);
    expect(m, 'same voxel centres as dcm2niix (up to its row flip)').toBeDefined();
    let diff = 0;
    for (let k = 0; k < ref.dims[2]; k++)
      for (let j = 0; j < ref.dims[1]; j++)
        for (let i = 0; i < ref.dims[0]; i++) diff += Math.abs(sampleVoxel(v, m!, [i, j, k]) - ref.data[i + ref.dims[0] * (j + ref.dims[1] * k)]);
    expect(diff).toBe(0);
    expect(v.meta.warnings.join(' ')).toMatch(/Siemens mosaic: 35 slices of 64×64 unpacked/);
  });
});

describe.skipIf(!has)('loadDicom on multi-frame objects vs manifest and dcm2niix', () => {
  it('IM_0027_fMAP (Philips enhanced MR): 2 volumes × 32 slices, per-frame rescale; volume 2 = dcm2niix field map', async () => {
    const file = abs('dicom/multiframe/IM_0027_fMAP.dcm');
    const both = [await loadDicom(file, { frame: 0 }), await loadDicom(file, { frame: 1 })];
    const all = stats(both.map((v) => v.data));
    const ref = fileFacts('dicom/multiframe/IM_0027_fMAP.dcm').functional_groups_rescaled_value_stats!;
    expect(all.min).toBeCloseTo(ref.min, 3);
    expect(all.max).toBeCloseTo(ref.max, 3);
    expect(all.mean).toBeCloseTo(ref.mean, 3);
    const nii = await readNifti(abs('nifti/scaled/Philips_WIP_B0_NS_801_e2_fieldmaphz.nii'));
    const m = matchGrids(both[1], nii, 1e-3);
    expect(m).toBeDefined();
    let maxDiff = 0;
    for (let k = 0; k < 32; k++)
      for (let j = 0; j < 64; j++)
        for (let i = 0; i < 64; i++) maxDiff = Math.max(maxDiff, Math.abs(sampleVoxel(both[1], m!, [i, j, k]) - nii.data[i + 64 * (j + 64 * k)]));
    // dcm2niix stores the DICOM slope as float32 (0.24420166 vs 0.24420024): ≤ 0.006 at the top of the range.
    expect(maxDiff).toBeLessThan(0.01);
  });

  it('emri_small (frames without positions): stacked with a warning; frame picks one frame', async () => {
    const file = abs('dicom/multiframe/emri_small.dcm');
    const all = await loadDicom(file);
    expect(all.dims).toEqual([64, 64, 10]);
    expect(all.meta.warnings.join(' ')).toMatch(/not a spatial volume/);
    const one = await loadDicom(file, { frame: 3 });
    expect(one.dims).toEqual([64, 64, 1]);
    expect(Array.from(one.data)).toEqual(Array.from(all.data.subarray(3 * 4096, 4 * 4096)));
  });

  it('eCT_Supplemental (enhanced CT): shared functional-group rescale applied', async () => {
    const v = await loadDicom(abs('dicom/multiframe/eCT_Supplemental.dcm'));
    expect(v.dims).toEqual([512, 512, 2]);
    expectExactStats(stats([v.data]), fileFacts('dicom/multiframe/eCT_Supplemental.dcm').functional_groups_rescaled_value_stats!);
  });

  // Every grey-scale image file whose manifest lists rescaled values (stored × slope + intercept).
  const rescaled = (manifest?.files ?? []).filter(
    (f) => f.expect === 'ok' && f.path.startsWith('dicom/') && f.facts.rescaled_value_stats && f.facts.SamplesPerPixel === 1 && f.facts.PhotometricInterpretation !== 'PALETTE COLOR' && f.facts.modality !== 'SEG',
  );
  it('rescale cases cover the manifest', () => expect(rescaled.length).toBeGreaterThanOrEqual(7));
  it.each(rescaled.map((f) => f.path))('%s: rescaled values as the manifest', async (p) => {
    const v = await loadDicom(abs(p));
    const lossy = /4\.(50|51|81)$/.test(String(fileFacts(p).transfer_syntax_uid));
    const got = stats([v.data]);
    const ref = fileFacts(p).rescaled_value_stats!;
    if (lossy) {
      expect(Math.abs(got.mean - ref.mean)).toBeLessThan(0.5);
      expect(Math.abs(got.min - ref.min)).toBeLessThanOrEqual(2);
      expect(Math.abs(got.max - ref.max)).toBeLessThanOrEqual(2);
    } else expectExactStats(got, ref);
  });
});
