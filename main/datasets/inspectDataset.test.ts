import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../test/sharedDir';
import { inspectDataset } from './inspectDataset';
import { openDataset } from './openDataset';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'datasets-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Real public files from ../shared/data linked into an images/ + labels/ dataset: a NIfTI CT with its
 * TotalSegmentator labels, a DICOM series with a NIfTI label map stored in another axis order (LAS vs the
 * series' LPS), and a 3-slice DICOM series with a dcmqi DICOM SEG.
 */
describe.skipIf(!sharedAvailable('real-file dataset test'))('inspectDataset on real files (../shared/data)', () => {
  it('every case usable: the LAS label is resampled onto the LPS series, the SEG lands on its series, SEG names beat placeholders', async () => {
    const root = path.join(tmp, 'real');
    mkdirSync(path.join(root, 'images'), { recursive: true });
    mkdirSync(path.join(root, 'labels'), { recursive: true });
    const link = (target: string, at: string): void => symlinkSync(path.join(DATA_DIR, target), path.join(root, at));
    link('nifti/ct/example_ct_sm.nii.gz', 'images/ct_sm.nii.gz');
    link('nifti/masks/example_seg.nii.gz', 'labels/ct_sm.nii.gz');
    link('series/totalseg_example_ct_dicom', 'images/totalseg');
    link('nifti/masks/example_seg_dicom.nii.gz', 'labels/totalseg.nii.gz');
    link('series/dcmqi_ct-3slice', 'images/liver3');
    link('dicom/seg/liver.dcm', 'labels/liver3.dcm');
    const ds = await openDataset(root);
    const r = await inspectDataset(ds, root);
    expect(r.problems).toEqual([]);
    expect(r.counts).toMatchObject({ total: 3, labelled: 3, usable: 3 });
    expect(r.labels.find((l) => l.value === 1)?.name).toBe('Liver');
    expect(r.orientations).toEqual({ RAS: 1, LPS: 2 });
    expect(r.warnings.some((w) => /^totalseg: label grid \(512x512x20 voxels .*, LAS\) differs from the image grid \(.*, LPS\); resampled/.test(w))).toBe(true);
    const liver3 = r.images.find((i) => i.id === 'liver3')!;
    expect(liver3.dims[2]).toBe(3);
    expect(liver3.labelMl?.['1']).toBeGreaterThan(0);
  });
});
