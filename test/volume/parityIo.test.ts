import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabelMap, Vec3, Volume, VoxelArray } from '../../main/volume/Volume';
import { affineFromGeometry, lpsToRas, spacingFromAffine, toRows } from '../../main/volume/geometry/affine';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { writeDicomSeg } from '../../main/volume/io/seg/writeDicomSeg';
import { REPO_ROOT } from '../sharedDir';

/**
 * Our NIfTI and DICOM SEG writers, read by the Python reference readers (nibabel, pydicom) through
 * scripts/parity-io.py. Skips, saying why, where /usr/bin/python3 lacks them.
 */
const PY = '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import nibabel, pydicom, numpy'], { encoding: 'utf8' });
const havePython = probe.status === 0;
if (!havePython) console.warn(`[skip] parity-io: ${PY} with nibabel + pydicom not available (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vol(data: VoxelArray, dims: Vec3, affine: Float64Array): Volume {
  return { data, dims, affine, spacing: spacingFromAffine(affine), meta: { warnings: [] } };
}

describe.skipIf(!havePython)('parity with nibabel / pydicom (scripts/parity-io.py)', () => {
  it('nibabel reads our NIfTI files (4 datatypes, oblique + LPS affines) and pydicom our SEG identically', async () => {
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    const oblique = lpsToRas(affineFromGeometry([0.8, 0.8, 3], [-120, -100, 50], [c, 0, s, 0, 1, 0, -s, 0, c]));
    const lpsAxial = lpsToRas(affineFromGeometry([0.6, 0.7, 1.25], [10, 20, -30]));
    const dims: Vec3 = [9, 7, 5];
    const n = 9 * 7 * 5;
    const cases: Array<[string, VoxelArray, Float64Array]> = [
      ['u8.nii.gz', Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256), oblique],
      ['u16.nii', Uint16Array.from({ length: n }, (_, i) => i * 151), lpsAxial],
      ['i16.nii.gz', Int16Array.from({ length: n }, (_, i) => i * 37 - 1024), oblique],
      ['f32.nii.gz', Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 1000.5)), lpsAxial],
    ];
    const spec: { nifti: unknown[]; seg: unknown[] } = { nifti: [], seg: [] };
    for (const [name, data, affine] of cases) {
      const file = path.join(dir, name);
      await writeNifti(file, vol(data, dims, affine));
      const dtype = name.startsWith('u8') ? 'uint8' : name.startsWith('u16') ? 'uint16' : name.startsWith('i16') ? 'int16' : 'float32';
      spec.nifti.push({ file, shape: dims, dtype, affine: toRows(affine), data: Array.from(data) });
    }
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 2 : i % 4 === 0 ? 1 : 0));
    const source = vol(new Int16Array(n), dims, oblique);
    source.meta.dicom = {
      studyInstanceUID: '1.2.3.4.5',
      seriesInstanceUID: '1.2.3.4.6',
      frameOfReferenceUID: '1.2.3.4.7',
      sopInstanceUIDs: Array.from({ length: 5 }, (_, k) => `1.2.3.4.8.${k + 1}`),
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      patient: { PatientName: 'Parity^Test', PatientID: 'P1' },
    };
    const lm: LabelMap = { ...vol(labels, dims, oblique), labels: [{ value: 1, name: 'Liver' }, { value: 2, name: 'Tumor' }] } as LabelMap;
    const segFile = path.join(dir, 'seg.dcm');
    await writeDicomSeg(segFile, lm, { source });
    spec.seg.push({
      file: segFile,
      dims,
      affine: toRows(oblique),
      labels: Array.from(labels),
      segments: [{ value: 1, label: 'Liver' }, { value: 2, label: 'Tumor' }],
      study_uid: '1.2.3.4.5',
      series_uid: '1.2.3.4.6',
      frame_of_reference_uid: '1.2.3.4.7',
    });
    // Also the nibabel view of a label map written as uint16.
    const specFile = path.join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const r = spawnSync(PY, [path.join(REPO_ROOT, 'scripts/parity-io.py'), specFile], { encoding: 'utf8' });
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> };
    const failed = out.checks.filter((x) => !x.ok);
    expect(failed).toEqual([]);
    expect(out.checks.length).toBeGreaterThanOrEqual(4 * 5 + 8);
    expect(r.status).toBe(0);
  });
});
