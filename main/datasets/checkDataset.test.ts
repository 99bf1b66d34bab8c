import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dicePerClass } from '../engine/train/metrics';
import type { LabelMap } from '../volume/Volume';
import { gridOf } from '../volume/geometry/grid';
import { gridWithSpacing, resampleToGrid } from '../volume/geometry/resample';
import { reorientTo } from '../volume/geometry/reorient';
import { readNifti } from '../volume/io/nifti/readNifti';
import { writeNifti } from '../volume/io/nifti/writeNifti';
import { checkDataset } from './checkDataset';
import type { SegmentationDataset } from './Dataset';
import { DatasetError } from './DatasetError';
import { loadSegmentationCase } from './loadSegmentationCase';
import { openDataset } from './openDataset';
import { writeSyntheticSegmentationDataset } from './testing/writeSyntheticSegmentationDataset';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'datasets-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh 3-case MSD dataset whose case_001 label (or image) the test then spoils. */
async function dataset(): Promise<{ ds: SegmentationDataset; label: string; image: string }> {
  const root = path.join(tmp, `ds${n++}`);
  await writeSyntheticSegmentationDataset(root, { layout: 'msd', size: 'tiny', trainCases: 3, testCases: 0, seed: 5 });
  const ds = (await openDataset(root)) as SegmentationDataset;
  return { ds, label: path.join(root, 'labelsTr/case_001.nii.gz'), image: path.join(root, 'imagesTr/case_001.nii.gz') };
}

async function expectBad(ds: SegmentationDataset, file: string, reason: RegExp): Promise<void> {
  const err = await checkDataset(ds, { skipBad: false }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetError);
  expect((err as Error).message).toBe(`${file}: ${(err as DatasetError).reason}`);
  expect((err as DatasetError).reason).toMatch(reason);
  const skipped = await checkDataset(ds, { skipBad: true });
  expect(skipped.skipped).toEqual([{ id: 'case_001', file, reason: (err as DatasetError).reason }]);
  expect(skipped.usable.cases.map((c) => c.id)).toEqual(['case_000', 'case_002']);
}

async function rewriteLabel(file: string, change: (l: LabelMap) => LabelMap | Parameters<typeof writeNifti>[1]): Promise<LabelMap> {
  const vol = await readNifti(file);
  const label = { ...vol, labels: [] } as unknown as LabelMap;
  await writeNifti(file, change(label));
  return label;
}

describe('checkDataset: every case is checked before training', () => {
  it('label values outside the label table: the label file is named with the values', async () => {
    const { ds, label } = await dataset();
    await rewriteLabel(label, (l) => {
      const data = Uint8Array.from(l.data);
      data[0] = 5;
      data[1] = 7;
      return { ...l, data };
    });
    await expectBad(ds, label, /^label values 5, 7 not in the dataset's labels \(0 background, 1 organ, 2 lesion\)$/);
  });

  it('fractional label values (a probability map) are refused', async () => {
    const { ds, label } = await dataset();
    await rewriteLabel(label, (l) => ({ ...l, data: Float32Array.from(l.data, (v) => v * 0.5) }));
    await expectBad(ds, label, /label values must be whole numbers 0–65535, found 0\.5/);
  });

  it('a label on another grid covering the same space is resampled onto the image by label vote, with a warning', async () => {
    const { ds, label, image } = await dataset();
    const original = await readNifti(label);
    // Same field of view, other axis order and a finer voxel size: nearest-neighbour copy of the truth.
    const flipped = reorientTo(original as LabelMap, 'LIP').volume;
    const finer = resampleToGrid(flipped, gridWithSpacing(flipped, flipped.spacing.map((s) => s / 2) as [number, number, number]), { interpolation: 'nearest' });
    await writeNifti(label, finer);
    const c = await loadSegmentationCase(ds, ds.cases[1]);
    expect(c.warnings.join('\n')).toMatch(/case_001: label grid \(.*\) differs from the image grid .* resampled onto the image by label vote/);
    const img = await readNifti(image);
    expect(gridOf(c.label!)).toEqual(gridOf(img));
    const dice = dicePerClass(c.label!.data, original.data, 3);
    expect(dice[1]).toBeGreaterThan(0.9);
    expect(dice[2]).toBeGreaterThan(0.85);
    const checked = await checkDataset(ds, { skipBad: false });
    expect(checked.warnings.some((w) => w.includes('resampled onto the image'))).toBe(true);
  });

  it('a label on a grid that does not cover the image is an error', async () => {
    const { ds, label } = await dataset();
    await rewriteLabel(label, (l) => {
      const affine = Float64Array.from(l.affine);
      affine[3] += 40; // shifted 40 mm: another field of view
      return { ...l, affine };
    });
    await expectBad(ds, label, /label grid \(.*\) does not cover the image .*case_001\.nii\.gz .* world extents differ by 40\.0 mm/);
  });

  it('an unreadable image is named', async () => {
    const { ds, image } = await dataset();
    writeFileSync(image, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    await expectBad(ds, image, /gzip|truncated|corrupt|invalid/i);
  });

  it('a label file missing from disk is named', async () => {
    const { ds, label } = await dataset();
    rmSync(label);
    const again = (await openDataset(ds.root)) as SegmentationDataset;
    await expectBad(again, label, /^label listed in dataset\.json not found$/);
  });

  it('no usable labelled case left is an error even with skipBad', async () => {
    const { ds } = await dataset();
    const none = { ...ds, cases: ds.cases.map((c) => ({ ...c, label: `${c.label}.missing` })) };
    const err = await checkDataset(none, { skipBad: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no usable labelled case \(3 skipped\)/);
  });
});
