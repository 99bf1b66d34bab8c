import path from 'node:path';
import type { Dataset, OpenDatasetOptions, SegmentationDataset, SegmentationLayout } from './Dataset';
import { DatasetError } from './DatasetError';
import { pathKind, readJson } from './datasetFiles';
import { parseLabelTable } from './labelTable';
import { openImagesLabelsDataset } from './layouts/imagesLabelsLayout';
import { openMsdDataset } from './layouts/msdLayout';
import { openNnunetV2Dataset } from './layouts/nnunetV2Layout';
import { readClassificationCsv } from './readClassificationCsv';

/** What a folder layout sees of a folder: its root and dataset.json (parsed) when there is one. */
interface FolderProbe {
  root: string;
  json?: Record<string, unknown>;
  jsonFile: string;
}

interface FolderLayout {
  layout: SegmentationLayout;
  matches(p: FolderProbe): Promise<boolean>;
  open(p: FolderProbe): Promise<SegmentationDataset>;
}

/** nnU-Net v2 writes labels name → index and a file_ending; MSD and nnU-Net v1 write index → name. */
const isV2 = (json: Record<string, unknown>): boolean => {
  const t = parseLabelTable(json.labels);
  return 'file_ending' in json || ('direction' in t && t.direction === 'name-index');
};

/** Folder layouts, tried in order: the first that matches opens the folder. */
const FOLDER_LAYOUTS: readonly FolderLayout[] = [
  { layout: 'nnunet-v2', matches: async (p) => !!p.json && isV2(p.json), open: (p) => openNnunetV2Dataset(p.root, p.json!, p.jsonFile) },
  { layout: 'msd', matches: async (p) => !!p.json && 'labels' in p.json && !isV2(p.json), open: (p) => openMsdDataset(p.root, p.json!, p.jsonFile) },
  { layout: 'images-labels', matches: async (p) => (await pathKind(path.join(p.root, 'images'))) === 'dir', open: (p) => openImagesLabelsDataset(p.root) },
];

/**
 * Open a dataset: a folder (MSD / nnU-Net v1, nnU-Net v2, or images/ + labels/) or a classification `.csv`.
 * Lists cases without reading voxels; per-case problems land in `bad` for checkDataset. A path that is no
 * dataset at all throws a one-line DatasetError.
 */
export async function openDataset(input: string, opts: OpenDatasetOptions = {}): Promise<Dataset> {
  const abs = path.resolve(input);
  const kind = await pathKind(abs);
  if (!kind) throw new DatasetError(abs, 'no such file or folder');
  if (kind === 'file') {
    if (/\.csv$/i.test(abs)) return readClassificationCsv(abs, opts);
    throw new DatasetError(abs, 'not a dataset: give a dataset folder (MSD, nnU-Net, images/ + labels/) or a classification .csv');
  }
  const jsonFile = path.join(abs, 'dataset.json');
  const probe: FolderProbe = { root: abs, jsonFile };
  if ((await pathKind(jsonFile)) === 'file') {
    let json: unknown;
    try {
      json = await readJson(jsonFile);
    } catch (err) {
      throw new DatasetError(jsonFile, (err as Error).message.replace(`${jsonFile}: `, ''));
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new DatasetError(jsonFile, 'not a JSON object');
    probe.json = json as Record<string, unknown>;
  }
  for (const l of FOLDER_LAYOUTS) if (await l.matches(probe)) return l.open(probe);
  if (probe.json) throw new DatasetError(jsonFile, 'has no `labels` table (MSD / nnU-Net dataset.json needs one)');
  throw new DatasetError(abs, 'not a dataset folder: expected dataset.json (MSD / nnU-Net) or images/ + labels/');
}
