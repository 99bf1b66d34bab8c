import type { Vec3, Volume } from '../volume/Volume';
import { axisCodes } from '../volume/geometry/orientation';
import { percentiles } from '../volume/preprocess/percentile';
import { medianSpacing } from '../volume/preprocess/spacing';
import { labelVolumesMl, voxelVolumeMl } from '../tasks/mask/maskMetrics';
import type { BadCase, Dataset } from './Dataset';
import { canonicalSpacing } from './canonicalSpacing';
import { checkDataset } from './checkDataset';

/** What `med3d dataset inspect --json` prints (a stable contract). */
export interface DatasetInspection {
  path: string;
  kind: Dataset['kind'];
  /** Segmentation layout ('msd', 'nnunet-v2', 'images-labels') or 'csv'. */
  layout: string;
  name: string;
  /** Segmentation: cases (train / test split, labelled). Classification: total = CSV data rows, labelled = rows with a valid class, train = usable rows. */
  counts: { total: number; train: number; test: number; labelled: number; usable: number; skipped: number; dropped: number };
  /** Per label over the usable labelled cases: voxels, mL, cases containing it, mean mL in those cases. */
  labels: Array<{ value: number; name: string; voxels: number; ml: number; cases: number; meanMl: number }>;
  /** Classification: class balance and LIDC malignancy histogram; diameters when given. */
  classes?: { benign: number; malignant: number; malignancy: Record<string, number>; diameterMm?: { min: number; median: number; max: number } };
  /** Voxel sizes in mm in RAS axis order (after reorientation to canonical); `median` is Med3D's target spacing. */
  spacing: { min: Vec3; median: Vec3; max: Vec3 };
  /** Voxel counts in RAS axis order. */
  dims: { min: Vec3; median: Vec3; max: Vec3 };
  /** Axis codes (e.g. 'RAS', 'LPS') → number of images. */
  orientations: Record<string, number>;
  /** Intensity statistics from up to 200 000 voxels per image: the 0.5 / 99.5 percentiles Med3D clips to. */
  intensity: { p0_5: number; p99_5: number; mean: number; std: number; sampled: number; foreground?: { p0_5: number; p99_5: number; mean: number; std: number; sampled: number } };
  /** Per image: dims and spacing in RAS axis order, its own axis codes, label volumes (value → mL). */
  images: Array<{ id: string; split?: 'train' | 'test'; dims: Vec3; spacing: Vec3; axcodes: string; labelMl?: Record<string, number> }>;
  problems: BadCase[];
  dropped: Array<{ row: number; reason: string }>;
  warnings: string[];
}

const SAMPLE = 200_000;

/** Up to `max` voxels at a fixed stride (deterministic), optionally only where `mask` is non-zero. */
function sample(data: ArrayLike<number>, max: number, out: number[], mask?: ArrayLike<number>): void {
  let n = 0;
  if (mask) for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  const total = mask ? n : data.length;
  const stride = Math.max(1, Math.ceil(total / max));
  for (let i = 0, seen = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    if (seen++ % stride === 0) out.push(data[i]);
  }
}

function moments(v: number[]): { p0_5: number; p99_5: number; mean: number; std: number; sampled: number } {
  const [p0_5, p99_5] = percentiles(Float64Array.from(v), [0.5, 99.5]);
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { p0_5, p99_5, mean, std: Math.sqrt(q / v.length), sampled: v.length };
}

function axisStats(vs: Vec3[]): { min: Vec3; median: Vec3; max: Vec3 } {
  if (!vs.length) return { min: [0, 0, 0], median: [0, 0, 0], max: [0, 0, 0] };
  const pick = (f: (a: number[]) => number): Vec3 => [0, 1, 2].map((a) => f(vs.map((v) => v[a]))) as Vec3;
  return { min: pick((a) => Math.min(...a)), median: medianSpacing(vs), max: pick((a) => Math.max(...a)) };
}

/**
 * Load every case once (through checkDataset, skipping and listing bad ones) and summarise the dataset:
 * cases, labels with voxel counts and mL, spacing statistics (per-axis median = Med3D's target spacing),
 * orientations, intensity percentiles, problems.
 */
export async function inspectDataset(ds: Dataset, input: string, onProgress?: (done: number, total: number) => void): Promise<DatasetInspection> {
  const images: DatasetInspection['images'] = [];
  const all: number[] = [];
  const fg: number[] = [];
  const perLabel = new Map<number, { voxels: number; ml: number; cases: number }>();
  const note = (id: string, vol: Volume, split?: 'train' | 'test'): DatasetInspection['images'][number] => {
    const entry = { id, ...(split ? { split } : {}), dims: canonicalSpacing(vol.affine, vol.dims), spacing: canonicalSpacing(vol.affine), axcodes: axisCodes(vol.affine) };
    images.push(entry);
    sample(vol.data, SAMPLE, all);
    return entry;
  };
  const checked = await checkDataset(ds, {
    skipBad: true,
    allowEmpty: true,
    onProgress,
    onCase: (ref, c) => {
      const entry = note(ref.id, c.image, ref.split);
      if (!c.label) return;
      sample(c.image.data, SAMPLE / 4, fg, c.label.data);
      const ml = labelVolumesMl(c.label);
      const voxelMl = voxelVolumeMl(c.label.spacing);
      entry.labelMl = {};
      for (const [value, v] of ml) {
        entry.labelMl[String(value)] = v;
        const acc = perLabel.get(value) ?? { voxels: 0, ml: 0, cases: 0 };
        acc.voxels += Math.round(v / voxelMl);
        acc.ml += v;
        acc.cases++;
        perLabel.set(value, acc);
      }
    },
    onImage: (vol, items) => note(items[0].item.image, vol),
  });
  const vols = images.map((i) => i.spacing);
  const orientations: Record<string, number> = {};
  for (const i of images) orientations[i.axcodes] = (orientations[i.axcodes] ?? 0) + 1;
  const base = {
    path: input,
    kind: ds.kind,
    spacing: axisStats(vols),
    dims: axisStats(images.map((i) => i.dims)),
    orientations,
    intensity: { ...(all.length ? moments(all) : { p0_5: NaN, p99_5: NaN, mean: NaN, std: NaN, sampled: 0 }), ...(fg.length ? { foreground: moments(fg) } : {}) },
    images,
    problems: checked.skipped,
    warnings: [...ds.warnings, ...checked.warnings],
  };
  if (ds.kind === 'segmentation') {
    const usable = checked.usable.kind === 'segmentation' ? checked.usable.cases : [];
    return {
      ...base,
      layout: ds.layout,
      name: ds.name,
      counts: {
        total: ds.cases.length + ds.bad.length,
        train: ds.cases.filter((c) => c.split === 'train').length,
        test: ds.cases.filter((c) => c.split === 'test').length,
        labelled: ds.cases.filter((c) => c.label).length,
        usable: usable.length,
        skipped: checked.skipped.length,
        dropped: 0,
      },
      labels: ds.labels
        .filter((l) => l.value !== 0)
        .map((l) => {
          const a = perLabel.get(l.value) ?? { voxels: 0, ml: 0, cases: 0 };
          return { value: l.value, name: l.name, voxels: a.voxels, ml: a.ml, cases: a.cases, meanMl: a.cases ? a.ml / a.cases : 0 };
        }),
      dropped: [],
    };
  }
  const items = checked.usable.kind === 'classification' ? checked.usable.items : [];
  const malignancy: Record<string, number> = {};
  for (const it of items) if (it.malignancy !== undefined) malignancy[String(it.malignancy)] = (malignancy[String(it.malignancy)] ?? 0) + 1;
  const diam = items.map((i) => i.diameterMm).filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  return {
    ...base,
    layout: 'csv',
    name: ds.csv.split(/[\\/]/).pop()!,
    counts: { total: ds.rows.length, train: items.length, test: 0, labelled: ds.items.length, usable: items.length, skipped: checked.skipped.length, dropped: ds.dropped.length },
    labels: [],
    classes: {
      benign: items.filter((i) => i.label === 0).length,
      malignant: items.filter((i) => i.label === 1).length,
      malignancy,
      ...(diam.length ? { diameterMm: { min: diam[0], median: percentiles(Float64Array.from(diam), [50])[0], max: diam[diam.length - 1] } } : {}),
    },
    dropped: ds.dropped,
  };
}
