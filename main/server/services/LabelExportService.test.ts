import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../common/api/errors';
import { REPO_ROOT } from '../../../test/sharedDir';
import { JobRegistry } from '../../jobs/jobRegistry';
import { DEFAULT_ORGANS } from '../../datasets/testing/syntheticOrganCase';
import { writeSyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import type { LabelMap, Mat4, Vec3 } from '../../volume/Volume';
import { toRows } from '../../volume/geometry/affine';
import { writeSyntheticSeries } from '../../volume/io/dicom/testing/writeSyntheticSeries';
import { loadVolume } from '../../volume/io/loadVolume';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { readDicomSeg } from '../../volume/io/seg/readDicomSeg';
import { writeDicomSeg } from '../../volume/io/seg/writeDicomSeg';
import { Med3dService } from '../Med3dService';

const PY = '/usr/bin/python3';
const havePython = spawnSync(PY, ['-c', 'import nibabel, pydicom, numpy'], { encoding: 'utf8' }).status === 0;
if (!havePython) console.warn(`[skip] label export read-back: ${PY} with nibabel + pydicom not available`);

const DIMS: Vec3 = [8, 6, 5];
const N = 8 * 6 * 5;
const AFFINE = Float64Array.from([-1, 0, 0, 4, 0, -1.5, 0, 5, 0, 0, 2, -6, 0, 0, 0, 1]);

let dir: string;
let svc: Med3dService;

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

function labelMap(data: Uint8Array, dims: Vec3, affine: Mat4, labels: LabelMap['labels'] = []): LabelMap {
  return { data, dims, affine, spacing: [Math.abs(affine[0]), Math.abs(affine[5]), Math.abs(affine[10])], meta: { warnings: [] }, labels };
}

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-labelio-')));
  await writeNifti(path.join(dir, 'scan.nii.gz'), { data: new Int16Array(N).fill(-500), dims: DIMS, spacing: [1, 1.5, 2], affine: AFFINE, meta: { warnings: [] } });
  svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws'), roots: [dir], registry: new JobRegistry(), discoverJobKinds: false });
});

afterAll(async () => {
  await svc.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('importDataset', () => {
  it('turns a labelled MSD dataset into verified cases (label version 1 by import, values mapped by name), skipping what cannot load', async () => {
    const root = path.join(dir, 'Task03_Liver');
    const organs = [{ ...DEFAULT_ORGANS[0], name: 'liver' }, { ...DEFAULT_ORGANS[1], name: 'tumour' }];
    const ds = await writeSyntheticSegmentationDataset(root, { layout: 'msd', size: 'tiny', trainCases: 3, testCases: 1, testLabels: false, organs, seed: 5 });
    const broken = ds.cases.find((c) => c.split === 'train')!;
    await writeFile(broken.label!, 'not a NIfTI file');

    const r = await svc.importDataset({ path: root });
    expect(r.dataset).toMatch(/\(msd\)$/);
    expect(r.cases).toHaveLength(2);
    expect(r.cases.every((c) => c.status === 'verified' && c.labelVersions === 1)).toBe(true);
    expect(r.skipped.map((s) => [s.item, s.path])).toEqual(
      expect.arrayContaining([
        [broken.id, broken.label],
        [ds.cases.find((c) => c.split === 'test')!.id, ds.cases.find((c) => c.split === 'test')!.image],
      ]),
    );
    expect(r.skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(r.labels).toEqual(['1 "liver" → 3 Liver', '2 "tumour" → 5 tumour (added to the workspace\'s labels)']);
    expect((await svc.getSettings()).labels.find((l) => l.value === 5)?.name).toBe('tumour');

    const first = r.cases[0];
    const [v] = await svc.listLabelVersions({ caseId: first.caseId });
    expect(v).toMatchObject({ version: 1, author: 'import', status: 'verified' });
    const src = ds.cases.find((c) => c.id === first.name)!;
    const original = await loadVolume(src.label!);
    const count = (a: ArrayLike<number>, x: number): number => Array.from(a).filter((y) => y === x).length;
    expect(v.voxelCounts['3']).toBe(count(original.data, 1));
    expect(v.voxelCounts['5'] ?? 0).toBe(count(original.data, 2));
    // The case opens on the dataset image's grid.
    expect((await svc.openCase({ caseId: first.caseId })).volume.dims).toEqual([...original.dims]);

    // Importing again adds nothing: the cases are there with labels.
    const again = await svc.importDataset({ path: root });
    expect(again.cases).toEqual([]);
    expect(again.skipped.filter((s) => /already in the workspace/.test(s.reason))).toHaveLength(2);
  });

  it('reads DICOM series with DICOM SEG labels (images/ + labels/) too', async () => {
    const root = path.join(dir, 'dicom-ds');
    const organs = [{ ...DEFAULT_ORGANS[0], name: 'Liver' }];
    await writeSyntheticSegmentationDataset(root, { layout: 'images-labels-dicom', size: 'tiny', trainCases: 1, testCases: 0, organs, seed: 2 });
    const r = await svc.importDataset({ path: root });
    expect(r.skipped).toEqual([]);
    expect(r.cases).toHaveLength(1);
    const [v] = await svc.listLabelVersions({ caseId: r.cases[0].caseId });
    expect(v.voxelCounts['3']).toBeGreaterThan(0);
    expect(Object.keys(v.voxelCounts)).toEqual(['3']);
  });

  it('refuses a folder that is not a dataset, naming it', async () => {
    const e = await errorOf(svc.importDataset({ path: path.join(dir, 'ws') }));
    expect(e.code).toBe('bad-file');
    expect(e.message).toContain(path.join(dir, 'ws'));
  });
});

describe('importLabel', () => {
  let caseId = '';
  beforeAll(async () => {
    caseId = (await svc.openVolume({ kind: 'path', path: path.join(dir, 'scan.nii.gz') })).caseId!;
  });

  it('a NIfTI mask on the same grid becomes a new version, values kept', async () => {
    const data = Uint8Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 1 : i % 7 === 0 ? 2 : 0));
    await writeNifti(path.join(dir, 'same.nii.gz'), labelMap(data, DIMS, AFFINE));
    const r = await svc.importLabel({ caseId, path: path.join(dir, 'same.nii.gz') });
    expect(r.resampled).toBe(false);
    expect(r.version).toMatchObject({ author: 'import', status: 'corrected' });
    const back = await svc.loadLabel({ caseId, version: r.version.version });
    expect(Array.from(new Uint8Array(back!.labels))).toEqual(Array.from(data));
  });

  it('a mask on another grid of the same space is resampled by label vote', async () => {
    // Twice as fine, same field of view: voxel (i, j, k) of the scan = voxels (2i..2i+1, ...) here.
    const fine: Vec3 = [16, 12, 10];
    const a = Float64Array.from(AFFINE);
    for (const [r, c] of [[0, 0], [1, 1], [2, 2]]) a[r * 4 + c] /= 2;
    for (let r = 0; r < 3; r++) a[r * 4 + 3] -= (AFFINE[r * 4 + r] / 4);
    const data = new Uint8Array(16 * 12 * 10);
    for (let k = 0; k < 10; k++) for (let j = 0; j < 12; j++) for (let i = 0; i < 8; i++) data[i + 16 * (j + 12 * k)] = 3;
    await writeNifti(path.join(dir, 'fine.nii.gz'), labelMap(data, fine, a));
    const r = await svc.importLabel({ caseId, path: path.join(dir, 'fine.nii.gz'), status: 'verified' });
    expect(r.resampled).toBe(true);
    expect(r.warnings[0]).toMatch(/resampled by label vote/);
    const back = new Uint8Array((await svc.loadLabel({ caseId, version: r.version.version }))!.labels);
    for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 8; i++) expect(back[i + 8 * (j + 6 * k)]).toBe(i < 4 ? 3 : 0);
    expect((await svc.listCases()).find((c) => c.caseId === caseId)?.status).toBe('verified');
  });

  it('refuses a mask that does not overlap the scan, in one line naming the file', async () => {
    const far = Float64Array.from(AFFINE);
    far[3] += 1000;
    const file = path.join(dir, 'far.nii.gz');
    await writeNifti(file, labelMap(new Uint8Array(N).fill(1), DIMS, far));
    const before = (await svc.listLabelVersions({ caseId })).length;
    const e = await errorOf(svc.importLabel({ caseId, path: file }));
    expect(e.code).toBe('invalid-request');
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/does not overlap the scan/);
    expect(e.message).not.toContain('\n');
    expect((await svc.listLabelVersions({ caseId })).length).toBe(before);
  });

  it('a DICOM SEG becomes a version with its segments mapped by name', async () => {
    const data = Uint8Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const file = path.join(dir, 'liver.seg.dcm');
    await writeDicomSeg(file, labelMap(data, DIMS, AFFINE, [{ value: 1, name: 'Liver' }]));
    const r = await svc.importLabel({ caseId, path: file });
    expect(r.mapped).toEqual(['1 "Liver" → 3 Liver']);
    const back = new Uint8Array((await svc.loadLabel({ caseId, version: r.version.version }))!.labels);
    expect(Array.from(back)).toEqual(Array.from(data, (x) => x * 3));
  });

  it('refuses a file that is not a label map, naming it', async () => {
    const e = await errorOf(svc.importLabel({ caseId, path: path.join(dir, 'scan.nii.gz') }));
    expect(e.code).toBe('bad-file');
    expect(e.message).toContain(path.join(dir, 'scan.nii.gz'));
  });
});

describe('exportLabel to a path chosen in the desktop save dialog', () => {
  it('writes the DICOM SEG where the dialog said, outside the allowed folders, and nowhere else', async () => {
    const outside = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-saveas-')));
    const chosen = path.join(outside, 'my labels.seg.dcm');
    const purposes: string[] = [];
    const desk = await Med3dService.create({
      mode: 'electron',
      version: 't',
      workspace: path.join(dir, 'ws-desk'),
      roots: [dir],
      registry: new JobRegistry(),
      discoverJobKinds: false,
      dialogs: { choose: async (purpose) => (purposes.push(purpose), chosen) },
    });
    try {
      const { caseId } = await desk.openVolume({ kind: 'path', path: path.join(dir, 'scan.nii.gz') });
      await desk.saveLabel({ caseId: caseId!, labels: new Uint8Array(N).fill(2, 0, 40).buffer, status: 'corrected' });
      // Not chosen: refused. Chosen in the save dialog: granted.
      expect((await errorOf(desk.exportLabel({ caseId: caseId!, format: 'dicom-seg', path: chosen }))).code).toBe('forbidden-path');
      const picked = await desk.chooseFile({ purpose: 'export-seg' });
      expect(purposes).toEqual(['export-seg']);
      const out = await desk.exportLabel({ caseId: caseId!, format: 'dicom-seg', path: picked!.path });
      expect(out.path).toBe(chosen);
      const back = await readDicomSeg(chosen, { reference: { dims: DIMS, affine: AFFINE } });
      expect(Array.from(back.data).filter((x) => x === 2)).toHaveLength(40);
      expect(Array.from(back.data).filter((x) => x !== 0 && x !== 2)).toHaveLength(0);
    } finally {
      await desk.dispose();
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('exportLabel on the source geometry, and readExport', () => {
  it.skipIf(!havePython)('NIfTI (nibabel: the source affine) and DICOM SEG (pydicom: references the source series, frames on its slices)', async () => {
    const series = path.join(dir, 'series');
    const seriesUid = '1.2.826.0.1.3680043.8.498.77';
    await writeSyntheticSeries(series, { rows: 6, columns: 7, slices: 4, spacing: 2.5, pixelSpacing: [0.8, 0.6], origin: [-20, -30, 40], seriesInstanceUID: seriesUid });
    const source = await loadVolume(series);
    const header = await svc.openVolume({ kind: 'path', path: series });
    const n = source.data.length;
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : i % 9 === 0 ? 3 : 0));
    await svc.saveLabel({ caseId: header.caseId!, labels: labels.buffer, status: 'verified' });

    const nii = await svc.exportLabel({ caseId: header.caseId!, format: 'nifti' });
    const seg = await svc.exportLabel({ caseId: header.caseId!, format: 'dicom-seg' });
    expect(nii.path).toMatch(/exports\/case-\d+-v0001\.nii\.gz$/);
    expect(seg.path).toMatch(/\.seg\.dcm$/);
    const ws = await svc.getSettings();
    const spec = {
      nifti: [{ file: nii.path, shape: [...source.dims], dtype: 'uint8', affine: toRows(source.affine), data: Array.from(labels) }],
      seg: [
        {
          file: seg.path,
          dims: [...source.dims],
          affine: toRows(source.affine),
          labels: Array.from(labels),
          segments: ws.labels.map((l) => ({ value: l.value, label: l.name })),
          study_uid: source.meta.dicom?.studyInstanceUID,
          series_uid: seriesUid,
        },
      ],
    };
    const specFile = path.join(dir, 'export-spec.json');
    await writeFile(specFile, JSON.stringify(spec));
    const r = spawnSync(PY, [path.join(REPO_ROOT, 'scripts/parity-io.py'), specFile], { encoding: 'utf8' });
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> };
    expect(out.checks.filter((x) => !x.ok)).toEqual([]);
    expect(r.status).toBe(0);

    // The browser's download: the same bytes, only from exports/.
    const bytes = await svc.readExport({ path: nii.path });
    expect(Buffer.from(bytes).equals(await readFile(nii.path))).toBe(true);
    const e = await errorOf(svc.readExport({ path: path.join(dir, 'scan.nii.gz') }));
    expect(e.code).toBe('forbidden-path');
    expect((await errorOf(svc.readExport({ path: path.join(dir, 'ws', 'med3d-workspace.json') }))).code).toBe('forbidden-path');
  });
});
