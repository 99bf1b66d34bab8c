import type { Vec3, Volume } from '../volume/Volume';
import type { BadCase, ClassificationDataset, Dataset, SegmentationDataset } from './Dataset';
import { DatasetError } from './DatasetError';
import { itemCenterVoxel } from './itemCenterVoxel';
import { loadDatasetImage, loadSegmentationCase, type LoadedSegmentationCase } from './loadSegmentationCase';

export interface CheckedDataset<D extends Dataset> {
  /** The dataset without the bad cases / rows (bad emptied). */
  usable: D;
  /** What was left out and why (empty without skipBad: the first bad case throws instead). */
  skipped: BadCase[];
  /** Warnings from loading (label grids resampled, images with notes), on top of the dataset's own. */
  warnings: string[];
}

export interface CheckDatasetOptions {
  /** Go on without bad cases and list them (the CLI's --skip-bad); default: the first bad case throws. */
  skipBad: boolean;
  /** Return an empty `usable` instead of throwing when no case is usable (inspection reports it). */
  allowEmpty?: boolean;
  /** Called after each case is checked (progress for long datasets). */
  onProgress?: (done: number, total: number) => void;
  /** Each good segmentation case as loaded (lets `dataset inspect` measure it without a second read). */
  onCase?: (ref: SegmentationDataset['cases'][number], loaded: LoadedSegmentationCase) => void;
  /** Each classification image with its good items (centres in voxels), as loaded. */
  onImage?: (image: Volume, items: Array<{ item: ClassificationDataset['items'][number]; voxel: Vec3 }>) => void;
}

/**
 * Check every case before training: images and labels load, labels lie on the image grid (or are resampled
 * onto it, with a warning) with known values, CSV centres lie inside their volumes. Without `skipBad` the
 * first problem throws a one-line DatasetError naming the file; with it, bad cases are left out and listed.
 */
export async function checkDataset<D extends Dataset>(ds: D, opts: CheckDatasetOptions): Promise<CheckedDataset<D>> {
  const skipped: BadCase[] = [];
  const flag = (b: BadCase): void => {
    // A CSV row's problem says which row (`line N: …`); a case's file already names the case.
    if (!opts.skipBad) throw new DatasetError(b.file, ds.kind === 'classification' ? `${b.id}: ${b.reason}` : b.reason);
    skipped.push(b);
  };
  for (const b of ds.bad) flag(b);
  const warnings: string[] = [];
  if (ds.kind === 'segmentation') {
    const keep: SegmentationDataset['cases'] = [];
    for (const [n, ref] of ds.cases.entries()) {
      try {
        const c = await loadSegmentationCase(ds, ref);
        warnings.push(...c.warnings);
        keep.push(ref);
        opts.onCase?.(ref, c);
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        flag({ id: ref.id, file: err.file, reason: err.reason });
      }
      opts.onProgress?.(n + 1, ds.cases.length);
    }
    if (!keep.some((c) => c.label) && !opts.allowEmpty) throw new DatasetError(ds.root, `no usable labelled case${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
    return { usable: { ...ds, cases: keep, bad: [] }, skipped, warnings };
  }
  const keep: ClassificationDataset['items'] = [];
  const byImage = new Map<string, ClassificationDataset['items']>();
  for (const it of ds.items) byImage.set(it.image, [...(byImage.get(it.image) ?? []), it]);
  let done = 0;
  for (const [image, items] of byImage) {
    let vol: Volume;
    try {
      vol = await loadDatasetImage(image);
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      for (const it of items) flag({ id: `line ${it.line}`, file: err.file, reason: err.reason });
      continue;
    }
    const good: Array<{ item: ClassificationDataset['items'][number]; voxel: Vec3 }> = [];
    for (const it of items) {
      try {
        good.push({ item: it, voxel: itemCenterVoxel(vol, it) });
        keep.push(it);
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        flag({ id: `line ${it.line}`, file: err.file, reason: err.reason });
      }
    }
    if (good.length) opts.onImage?.(vol, good);
    opts.onProgress?.((done += items.length), ds.items.length);
  }
  keep.sort((a, b) => a.row - b.row);
  if (keep.length === 0 && !opts.allowEmpty) throw new DatasetError(ds.csv, `no usable rows${skipped.length ? ` (${skipped.length} skipped)` : ''}`);
  return { usable: { ...ds, items: keep, bad: [] }, skipped, warnings };
}

