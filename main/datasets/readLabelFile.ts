import type { LabelMap, Volume } from '../volume/Volume';
import type { Grid } from '../volume/geometry/grid';
import { detectVolumeKind } from '../volume/io/loadVolume';
import { VolumeReadError } from '../volume/io/errors';
import { readNifti } from '../volume/io/nifti/readNifti';
import { readDicomSeg } from '../volume/io/seg/readDicomSeg';
import { DatasetError } from './DatasetError';
import { listFolder, pathKind } from './datasetFiles';

/**
 * Read a label file as an integer LabelMap: a NIfTI label map (values must be whole numbers 0–65535) on its
 * own grid, or a DICOM SEG (file, or a folder holding exactly one) whose segment numbers are the label values,
 * placed on `reference` (the image) when given. Anything else is a DatasetError naming the file.
 */
export async function readLabelFile(file: string, reference?: Grid | Volume): Promise<LabelMap> {
  if ((await pathKind(file)) === 'dir') {
    const segs: string[] = [];
    for (const e of await listFolder(file)) if (e.kind === 'file' && (await detectVolumeKind(e.full).catch(() => null)) === 'dicom-seg') segs.push(e.full);
    if (segs.length !== 1) throw new DatasetError(file, `label folder must hold exactly one DICOM SEG file, found ${segs.length}`);
    return readLabelFile(segs[0], reference);
  }
  try {
    const kind = await detectVolumeKind(file);
    if (kind === 'dicom-seg') return await readDicomSeg(file, reference ? { reference } : {});
    if (kind !== 'nifti') throw new DatasetError(file, 'not a label map: labels must be NIfTI or DICOM SEG (this is a DICOM image)');
    return toLabelMap(await readNifti(file), file);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    if (err instanceof VolumeReadError) throw new DatasetError(file, err.reason);
    throw new DatasetError(file, (err as Error).message);
  }
}

/** Whole-number values 0–65535 as the narrowest unsigned array; fractions or negatives are an error. */
function toLabelMap(vol: Volume, file: string): LabelMap {
  const d = vol.data;
  let max = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v) || v < 0 || v > 65535) {
      throw new DatasetError(file, `label values must be whole numbers 0–65535, found ${v} (a probability map or an image instead of labels?)`);
    }
    if (v > max) max = v;
  }
  const data = max < 256 ? (d instanceof Uint8Array ? d : Uint8Array.from(d)) : d instanceof Uint16Array ? d : Uint16Array.from(d);
  return { ...vol, data, labels: [] };
}
