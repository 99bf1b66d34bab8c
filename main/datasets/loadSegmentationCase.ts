import type { LabelMap, Volume } from '../volume/Volume';
import { gridOf, sameGrid } from '../volume/geometry/grid';
import { axisCodes } from '../volume/geometry/orientation';
import { resampleToGrid } from '../volume/geometry/resample';
import { VolumeReadError } from '../volume/io/errors';
import { loadVolume } from '../volume/io/loadVolume';
import type { SegmentationCaseRef, SegmentationDataset } from './Dataset';
import { DatasetError } from './DatasetError';
import { describeLabels } from './labelTable';
import { readLabelFile } from './readLabelFile';
import { coversSameSpace } from './worldExtent';

export interface LoadedSegmentationCase {
  image: Volume;
  /** On the image's grid, carrying the dataset's label table. */
  label?: LabelMap;
  warnings: string[];
}

/** Affines equal to this many mm count as the same grid (NIfTI stores float32: a little rounding is normal). */
const GRID_TOL_MM = 1e-3;

/** Load an image with loadVolume, turning read errors into DatasetErrors naming the file. */
export async function loadDatasetImage(file: string): Promise<Volume> {
  try {
    return await loadVolume(file);
  } catch (err) {
    throw new DatasetError(file, err instanceof VolumeReadError ? err.reason : (err as Error).message);
  }
}

const dims = (v: Volume): string => `${v.dims.join('x')} voxels of ${v.spacing.map((s) => +s.toFixed(3)).join('x')} mm, ${axisCodes(v.affine)}`;

/**
 * Load one case's image and label, checked: the label ends up on the image's grid (a label on another grid
 * covering the same world box is resampled by label vote, with a warning; anything else is a DatasetError)
 * and holds only values of the dataset's label table.
 */
export async function loadSegmentationCase(ds: SegmentationDataset, ref: SegmentationCaseRef): Promise<LoadedSegmentationCase> {
  const image = await loadDatasetImage(ref.image);
  const warnings = image.meta.warnings.map((w) => `${ref.id}: ${w}`);
  if (!ref.label) return { image, warnings };
  let label = await readLabelFile(ref.label, image);
  if (!sameGrid(gridOf(label), gridOf(image), GRID_TOL_MM)) {
    const cover = coversSameSpace(label, image);
    if (!cover.same) {
      throw new DatasetError(
        ref.label,
        `label grid (${dims(label)}) does not cover the image ${ref.image} (${dims(image)}): world extents differ by ${cover.mismatchMm.toFixed(1)} mm`,
      );
    }
    warnings.push(`${ref.id}: label grid (${dims(label)}) differs from the image grid (${dims(image)}); resampled onto the image by label vote`);
    label = resampleToGrid(label, gridOf(image), { interpolation: 'label' });
  }
  const known = new Set(ds.labels.map((l) => l.value));
  const unknown = new Set<number>();
  const d = label.data;
  for (let i = 0; i < d.length; i++) if (!known.has(d[i])) unknown.add(d[i]);
  if (unknown.size) {
    const vals = [...unknown].sort((a, b) => a - b);
    throw new DatasetError(ref.label, `label value${vals.length > 1 ? 's' : ''} ${vals.join(', ')} not in the dataset's labels (${describeLabels(ds.labels)})`);
  }
  return { image, label: { ...label, labels: ds.labels.map((l) => ({ ...l })) }, warnings };
}
