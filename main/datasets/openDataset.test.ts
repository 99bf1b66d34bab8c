import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sameGrid } from '../volume/geometry/grid';
import { checkDataset } from './checkDataset';
import { DatasetError } from './DatasetError';
import { loadSegmentationCase } from './loadSegmentationCase';
import { openDataset } from './openDataset';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationLayout } from './testing/writeSyntheticSegmentationDataset';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'datasets-open-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LABELS = [
  { value: 0, name: 'background' },
  { value: 1, name: 'organ' },
  { value: 2, name: 'lesion' },
];

describe('openDataset: every folder layout, 2 train + 1 test case each', () => {
  const table: Array<[SyntheticSegmentationLayout, string, boolean]> = [
    ['msd', 'msd', true],
    ['nnunet-v1', 'msd', true],
    ['nnunet-v2', 'nnunet-v2', true],
    ['images-labels', 'images-labels', false],
    ['images-labels-dicom', 'images-labels', false],
  ];
  it.each(table)('%s layout opens as %s with its labels, cases and splits; every case loads on its own grid', async (layout, expected, testLabelled) => {
    const root = path.join(tmp, layout);
    const made = await writeSyntheticSegmentationDataset(root, { layout, size: 'tiny', trainCases: 2, testCases: 1, seed: 3 });
    const ds = await openDataset(root);
    if (ds.kind !== 'segmentation') throw new Error('expected a segmentation dataset');
    expect(ds.layout).toBe(expected);
    expect(ds.labels).toEqual(LABELS);
    expect(ds.bad).toEqual([]);
    expect(ds.cases.map((c) => [c.id, c.split, !!c.label])).toEqual([
      ['case_000', 'train', true],
      ['case_001', 'train', true],
      ['case_002', 'test', testLabelled],
    ]);
    expect(ds.cases.map((c) => c.image)).toEqual(made.cases.map((c) => c.image));
    const checked = await checkDataset(ds, { skipBad: false });
    expect(checked.skipped).toEqual([]);
    for (const [n, ref] of ds.cases.entries()) {
      const c = await loadSegmentationCase(ds, ref);
      expect(c.image.spacing.map((s) => +s.toFixed(3))).toEqual(made.cases[n].spacing.map((s) => +s.toFixed(3)));
      if (!ref.label) continue;
      expect(sameGrid(c.label!, c.image, 1e-3)).toBe(true);
      expect(c.label!.labels).toEqual(LABELS);
      const values = new Set(c.label!.data);
      expect([...values].sort()).toEqual([0, 1, 2]);
    }
  });

  it('images-labels without a label table: values and names come from the label files, with a warning', async () => {
    const root = path.join(tmp, 'nolabeltable');
    await writeSyntheticSegmentationDataset(root, { layout: 'images-labels', size: 'tiny', trainCases: 2, testCases: 0, labelTable: false });
    const ds = await openDataset(root);
    expect(ds.kind === 'segmentation' && ds.labels).toEqual([
      { value: 0, name: 'background' },
      { value: 1, name: 'label 1' },
      { value: 2, name: 'label 2' },
    ]);
    expect(ds.warnings.join('\n')).toMatch(/label table taken from the label files/);
  });

  it('symbolic links to image files and to whole folders are followed', async () => {
    const src = path.join(tmp, 'msd');
    const root = path.join(tmp, 'linked');
    mkdirSync(path.join(root, 'imagesTr'), { recursive: true });
    for (const id of ['case_000', 'case_001']) symlinkSync(path.join(src, 'imagesTr', `${id}.nii.gz`), path.join(root, 'imagesTr', `${id}.nii.gz`));
    symlinkSync(path.join(src, 'labelsTr'), path.join(root, 'labelsTr'));
    symlinkSync(path.join(src, 'dataset.json'), path.join(root, 'dataset.json'));
    const ds = await openDataset(root);
    if (ds.kind !== 'segmentation') throw new Error('kind');
    // The test image is not linked: reported as missing, not silently dropped.
    expect(ds.bad.map((b) => b.id)).toEqual(['case_002']);
    expect(ds.cases.map((c) => c.id)).toEqual(['case_000', 'case_001']);
    const checked = await checkDataset(ds, { skipBad: true });
    expect(checked.usable.cases).toHaveLength(2);
    expect(checked.skipped[0]).toMatchObject({ id: 'case_002', reason: 'test image listed in dataset.json not found' });
  });
});

describe('openDataset: structural errors are one line naming the file', () => {
  const cases: Array<[string, (root: string) => void, RegExp]> = [
    ['missing path', () => undefined, /no such file or folder/],
    ['folder that is no dataset', (r) => mkdirSync(r, { recursive: true }), /not a dataset folder: expected dataset\.json/],
    [
      'dataset.json that is not JSON',
      (r) => {
        mkdirSync(r, { recursive: true });
        writeFileSync(path.join(r, 'dataset.json'), '{"labels": ');
      },
      /dataset\.json: not valid JSON/,
    ],
    [
      'nnU-Net v2 region labels',
      (r) => {
        mkdirSync(r, { recursive: true });
        writeFileSync(path.join(r, 'dataset.json'), JSON.stringify({ labels: { background: 0, tumour: [1, 2] }, file_ending: '.nii.gz' }));
      },
      /label 'tumour' is a region/,
    ],
    [
      'unsupported file ending',
      (r) => {
        mkdirSync(r, { recursive: true });
        writeFileSync(path.join(r, 'dataset.json'), JSON.stringify({ labels: { background: 0, liver: 1 }, file_ending: '.nrrd' }));
      },
      /file_ending '\.nrrd' is not supported/,
    ],
    ['a file that is not a CSV', (r) => writeFileSync(`${r}.txt`, 'x'), /not a dataset: give a dataset folder/],
  ];
  it.each(cases)('%s', async (name, make, message) => {
    const root = path.join(tmp, `bad-${name.replace(/\W+/g, '-')}`);
    make(root);
    const target = name === 'a file that is not a CSV' ? `${root}.txt` : root;
    const err = await openDataset(target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/\n/);
    expect((err as DatasetError).file.startsWith(root)).toBe(true);
  });
});
