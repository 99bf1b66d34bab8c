import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '../volume/io/nifti/readNifti';
import { applyAffine, invert } from '../volume/geometry/affine';
import { checkDataset } from './checkDataset';
import type { ClassificationDataset } from './Dataset';
import { DatasetError } from './DatasetError';
import { itemCenterVoxel } from './itemCenterVoxel';
import { openDataset } from './openDataset';
import { writeSyntheticNoduleDataset, type SyntheticNoduleDataset } from './testing/writeSyntheticNoduleDataset';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'datasets-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let made: SyntheticNoduleDataset;
beforeAll(async () => {
  made = await writeSyntheticNoduleDataset(path.join(tmp, 'nodules'), { size: 'tiny', volumes: 2, nodulesPerVolume: 3, seed: 2 });
});

async function csvDataset(text: string, opts: Parameters<typeof openDataset>[1] = {}): Promise<ClassificationDataset> {
  const file = path.join(made.root, `t${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  return (await openDataset(file, opts)) as ClassificationDataset;
}

describe('classification CSV (LUNA16 / LIDC style)', () => {
  it('reads every row in input order with the paper binarisation (1–3 benign, 4–5 malignant)', async () => {
    const ds = (await openDataset(made.csv)) as ClassificationDataset;
    expect(ds.kind).toBe('classification');
    expect(ds.columns).toEqual(['image', 'x', 'y', 'z', 'diameter_mm', 'malignancy']);
    expect(ds.items.map((i) => i.row)).toEqual(made.nodules.map((_, r) => r));
    expect(ds.items.map((i) => i.label)).toEqual(made.nodules.map((n) => n.label));
    expect(ds.items.map((i) => i.malignancy)).toEqual(made.nodules.map((n) => n.malignancy));
    expect(ds.items[0].image).toBe(made.nodules[0].image);
    expect(ds.items[0].columns.image).toBe('volumes/vol_000.nii.gz');
    expect(ds.rows).toHaveLength(made.nodules.length);
  });

  it.each(['lps', 'ras', 'voxel'] as const)('--coords %s: every centre maps to the nodule voxel', async (coords) => {
    const d = await writeSyntheticNoduleDataset(path.join(tmp, `c-${coords}`), { size: 'tiny', volumes: 1, nodulesPerVolume: 3, seed: 4, coords });
    const ds = (await openDataset(d.csv, { coords })) as ClassificationDataset;
    const vol = await readNifti(d.nodules[0].image);
    for (const [k, item] of ds.items.entries()) {
      const want = applyAffine(invert(vol.affine), d.nodules[k].centreRas);
      const got = itemCenterVoxel(vol, item);
      for (let a = 0; a < 3; a++) expect(got[a]).toBeCloseTo(want[a], 2);
    }
  });

  it('LPS centres read as RAS land outside the volume: one line naming the image and suggesting --coords', async () => {
    const ds = (await openDataset(made.csv, { coords: 'ras' })) as ClassificationDataset;
    const err = await checkDataset(ds, { skipBad: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/vol_000\.nii\.gz: line 2: centre \(.*\) RAS is outside the volume .*check --coords$/);
  });

  it('--drop-indeterminate drops malignancy 3 and says so; without it 3 is benign', async () => {
    const text = 'image,x,y,z,malignancy\n' + [1, 2, 3, 4, 5, 3].map((m, k) => `volumes/vol_000.nii.gz,${made.nodules[k % 3].csvCentre.join(',')},${m}`).join('\n');
    const kept = await csvDataset(text);
    expect(kept.items.map((i) => i.label)).toEqual([0, 0, 0, 1, 1, 0]);
    const dropped = await csvDataset(text, { dropIndeterminate: true });
    expect(dropped.items.map((i) => i.row)).toEqual([0, 1, 3, 4]);
    expect(dropped.dropped).toEqual([
      { row: 2, reason: 'line 4: malignancy 3 (indeterminate) dropped by --drop-indeterminate' },
      { row: 5, reason: 'line 7: malignancy 3 (indeterminate) dropped by --drop-indeterminate' },
    ]);
  });

  it('a label 0/1 column, LUNA16 coordX/coordY/coordZ headers and a BOM are accepted', async () => {
    const c = made.nodules[0].csvCentre;
    const ds = await csvDataset(`\ufeffimage,coordX,coordY,coordZ,label\nvolumes/vol_000.nii.gz,${c.join(',')},1\n`);
    expect(ds.items).toHaveLength(1);
    expect(ds.items[0]).toMatchObject({ label: 1, center: c });
  });

  it('bad rows are listed with their line; checkDataset throws on the first, or skips and lists them all', async () => {
    const c = made.nodules[0].csvCentre.join(',');
    const ds = await csvDataset(
      ['image,x,y,z,malignancy', `volumes/vol_000.nii.gz,${c},4`, 'volumes/vol_000.nii.gz,abc,1,2,4', `volumes/missing.nii.gz,${c},2`, `volumes/vol_000.nii.gz,${c},9`, `volumes/vol_000.nii.gz,${c},3.5`].join('\n'),
    );
    expect(ds.items.map((i) => i.row)).toEqual([0]);
    expect(ds.bad.map((b) => b.reason)).toEqual([
      "x 'abc' is not a number",
      'image volumes/missing.nii.gz not found',
      "malignancy '9' is not a number 1–5",
      'malignancy 3.5 lies between benign (1–3) and malignant (4–5)',
    ]);
    expect(ds.bad[1].file).toBe(path.join(made.root, 'volumes/missing.nii.gz'));
    const err = await checkDataset(ds, { skipBad: false }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${ds.csv}: line 3: x 'abc' is not a number`);
    const skipped = await checkDataset(ds, { skipBad: true });
    expect(skipped.skipped.map((s) => s.id)).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(skipped.usable.items).toHaveLength(1);
  });

  it.each([
    ['image,x,y\na.nii.gz,1,2', /missing column z/],
    ['image,x,y,z\na.nii.gz,1,2,3', /needs a malignancy \(1–5\) or label \(0\/1\) column/],
    ['', /empty CSV/],
    ['image,x,y,z,label', /no data rows below the header/],
  ])('structural problem: %j', async (text, message) => {
    const err = await csvDataset(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
  });
});
