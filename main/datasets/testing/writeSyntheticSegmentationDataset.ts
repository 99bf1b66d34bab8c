import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import { rasToLps } from '../../volume/geometry/affine';
import { loadVolume } from '../../volume/io/loadVolume';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { writeDicomSeg } from '../../volume/io/seg/writeDicomSeg';
import { writeSyntheticSeries } from '../../volume/io/dicom/testing/writeSyntheticSeries';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';
import type { LabelEntry } from '../Dataset';
import { DEFAULT_ORGANS, drawAnatomy, gridFor, intensityAt, renderOrganCase, renderOrganLabels, type SyntheticAnatomy, type SyntheticOrgan } from './syntheticOrganCase';

/** On-disk layouts the generator writes: the formats `openDataset` reads. */
export type SyntheticSegmentationLayout = 'msd' | 'nnunet-v1' | 'nnunet-v2' | 'images-labels' | 'images-labels-dicom';

export interface SyntheticSegmentationOptions {
  layout: SyntheticSegmentationLayout;
  /** Labelled training cases (default 6). */
  trainCases?: number;
  /** Test cases in imagesTs/ (labelled in labelsTs/ when `testLabels`), default 2; images-labels: unlabelled images. */
  testCases?: number;
  /** Write labelsTs/ for the test cases (default true). */
  testLabels?: boolean;
  seed?: number;
  /** Organs with the dataset's label values and names (default DEFAULT_ORGANS: 1 organ, 2 lesion). */
  organs?: readonly SyntheticOrgan[];
  /**
   * Voxel sizes drawn per case: in-plane (the two axes not along S) and slice (along S), mm.
   * Default 'bench' (about 80×75×50 voxels: in-plane 1.3–1.7, slice 1.8–2.4); 'tiny' for unit tests
   * (about 24×22×16 voxels: in-plane 4.5–5.5, slice 6–7).
   */
  size?: 'tiny' | 'bench';
  /** World field of view R, A, S in mm (default 120, 110, 100). */
  fovMm?: Vec3;
  /** images-labels only: write labels.json with the names (default true; false = values only). */
  labelTable?: boolean;
  /** Name in dataset.json (default 'SyntheticOrgans'). */
  name?: string;
}

export interface SyntheticSegmentationDataset {
  root: string;
  labels: LabelEntry[];
  /** `spacing` is along the case's voxel axes i, j, k (its `axes` codes). */
  cases: Array<{ id: string; image: string; label?: string; split: 'train' | 'test'; axes: string; spacing: Vec3 }>;
}

/** Axis orders drawn per case (NIfTI); DICOM series are axial (LPS). */
const AXIS_CODES = ['RAS', 'LPS', 'LAS', 'RPI', 'PLS', 'ASR'];
const SIZES = { tiny: { inPlane: [4.5, 5.5], slice: [6, 7] }, bench: { inPlane: [1.3, 1.7], slice: [1.8, 2.4] } } as const;

interface PlannedCase {
  id: string;
  split: 'train' | 'test';
  axes: string;
  spacing: Vec3;
  anat: SyntheticAnatomy;
  rng: SeededRandom;
}

/**
 * Write a small organ-segmentation dataset in one of the formats users bring (MSD, nnU-Net v1/v2,
 * images/ + labels/ with NIfTI or DICOM series + DICOM SEG). Every case has its own spacing and axis
 * order; anatomy and noise come from `seed`, so the same options give the same files.
 */
export async function writeSyntheticSegmentationDataset(root: string, o: SyntheticSegmentationOptions): Promise<SyntheticSegmentationDataset> {
  const organs = o.organs ?? DEFAULT_ORGANS;
  const labels: LabelEntry[] = [{ value: 0, name: 'background' }, ...organs.map((g) => ({ value: g.value, name: g.name }))];
  const size = SIZES[o.size ?? 'bench'];
  const fov = o.fovMm ?? [120, 110, 100];
  const rng = seededRandom(o.seed ?? 1);
  const dicom = o.layout === 'images-labels-dicom';
  const plan: PlannedCase[] = [];
  const nTrain = o.trainCases ?? 6;
  const nTest = o.testCases ?? 2;
  for (let n = 0; n < nTrain + nTest; n++) {
    const axes = dicom ? 'LPS' : AXIS_CODES[rng.int(0, AXIS_CODES.length - 1)];
    const inPlane = rng.uniform(size.inPlane[0], size.inPlane[1]);
    const slice = rng.uniform(size.slice[0], size.slice[1]);
    const spacing = [...axes].map((c) => (c === 'S' || c === 'I' ? slice : inPlane)) as Vec3;
    plan.push({ id: `case_${String(n).padStart(3, '0')}`, split: n < nTrain ? 'train' : 'test', axes, spacing, anat: drawAnatomy(rng, organs), rng: seededRandom(rng.int(1, 2 ** 31)) });
  }
  await mkdir(root, { recursive: true });
  const write = WRITERS[o.layout];
  const cases = [];
  for (const c of plan) {
    const files = await write(root, c, { labels, fov, testLabels: o.testLabels ?? true });
    cases.push({ id: c.id, split: c.split, axes: c.axes, spacing: c.spacing, ...files });
  }
  await writeIndex(root, o, labels, cases);
  return { root, labels, cases };
}

type CaseWriter = (root: string, c: PlannedCase, ctx: { labels: LabelEntry[]; fov: Vec3; testLabels: boolean }) => Promise<{ image: string; label?: string }>;

/** NIfTI image + label of a case, at the given relative paths. */
function niftiWriter(imagePath: (c: PlannedCase) => string, labelPath: (c: PlannedCase) => string): CaseWriter {
  return async (root, c, ctx) => {
    const { image, label } = renderOrganCase(c.anat, gridFor(c.axes, c.spacing, ctx.fov), c.rng, ctx.labels);
    const img = path.join(root, imagePath(c));
    await mkdir(path.dirname(img), { recursive: true });
    await writeNifti(img, image);
    if (c.split === 'test' && !ctx.testLabels) return { image: img };
    const lab = path.join(root, labelPath(c));
    await mkdir(path.dirname(lab), { recursive: true });
    await writeNifti(lab, label);
    return { image: img, label: lab };
  };
}

const tr = (c: PlannedCase): string => (c.split === 'train' ? 'Tr' : 'Ts');

const WRITERS: Record<SyntheticSegmentationLayout, CaseWriter> = {
  msd: niftiWriter((c) => `images${tr(c)}/${c.id}.nii.gz`, (c) => `labels${tr(c)}/${c.id}.nii.gz`),
  'nnunet-v1': niftiWriter((c) => `images${tr(c)}/${c.id}_0000.nii.gz`, (c) => `labels${tr(c)}/${c.id}.nii.gz`),
  'nnunet-v2': niftiWriter((c) => `images${tr(c)}/${c.id}_0000.nii.gz`, (c) => `labels${tr(c)}/${c.id}.nii.gz`),
  'images-labels': async (root, c, ctx) => {
    // Unlabelled test images sit in images/ without a label.
    const w = niftiWriter(() => `images/${c.id}.nii.gz`, () => `labels/${c.id}.nii.gz`);
    return w(root, c, { ...ctx, testLabels: false });
  },
  'images-labels-dicom': async (root, c, ctx) => {
    const grid = gridFor(c.axes, c.spacing, ctx.fov);
    const lps = rasToLps(grid.affine);
    const series = path.join(root, 'images', c.id);
    // Axial LPS grid: rows along +x (L), columns along +y (P), slices along +z (S).
    await writeSyntheticSeries(series, {
      columns: grid.dims[0],
      rows: grid.dims[1],
      slices: grid.dims[2],
      pixelSpacing: [c.spacing[1], c.spacing[0]],
      spacing: c.spacing[2],
      origin: [lps[3], lps[7], lps[11]],
      value: (i, j, k) => Math.round(intensityAt(c.anat, [grid.affine[3] + grid.affine[0] * i, grid.affine[7] + grid.affine[5] * j, grid.affine[11] + grid.affine[10] * k]) + 18 * c.rng.normal()),
    });
    if (c.split === 'test') return { image: series };
    const loaded: Volume = await loadVolume(series);
    const label: LabelMap = renderOrganLabels(c.anat, loaded, ctx.labels);
    const seg = path.join(root, 'labels', `${c.id}.dcm`);
    await mkdir(path.dirname(seg), { recursive: true });
    await writeDicomSeg(seg, label, { source: loaded, segments: ctx.labels.filter((l) => l.value).map((l) => ({ value: l.value, label: l.name })) });
    return { image: series, label: seg };
  },
};

/** dataset.json / labels.json as each format writes it. */
async function writeIndex(root: string, o: SyntheticSegmentationOptions, labels: LabelEntry[], cases: SyntheticSegmentationDataset['cases']): Promise<void> {
  const name = o.name ?? 'SyntheticOrgans';
  const train = cases.filter((c) => c.split === 'train');
  const test = cases.filter((c) => c.split === 'test');
  const rel = (f: string): string => `./${path.relative(root, f).split(path.sep).join('/')}`;
  let json: unknown;
  if (o.layout === 'msd' || o.layout === 'nnunet-v1') {
    // nnU-Net v1 lists image paths without the _0000 channel suffix, as MSD does.
    json = {
      name,
      description: 'synthetic organs (Med3D Workstation test data)',
      tensorImageSize: '3D',
      modality: { '0': 'CT' },
      labels: Object.fromEntries(labels.map((l) => [String(l.value), l.name])),
      numTraining: train.length,
      numTest: test.length,
      training: train.map((c) => ({ image: `./imagesTr/${c.id}.nii.gz`, label: rel(c.label!) })),
      test: test.map((c) => `./imagesTs/${c.id}.nii.gz`),
    };
  } else if (o.layout === 'nnunet-v2') {
    json = { name, channel_names: { '0': 'CT' }, labels: Object.fromEntries(labels.map((l) => [l.name, l.value])), numTraining: train.length, file_ending: '.nii.gz' };
  } else if (o.labelTable ?? true) {
    await writeFile(path.join(root, 'labels.json'), `${JSON.stringify(Object.fromEntries(labels.map((l) => [String(l.value), l.name])), null, 2)}\n`);
    return;
  } else return;
  await writeFile(path.join(root, 'dataset.json'), `${JSON.stringify(json, null, 2)}\n`);
}
