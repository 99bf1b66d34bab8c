import path from 'node:path';
import type { BadCase, SegmentationCaseRef, SegmentationDataset } from '../Dataset';
import { DatasetError } from '../DatasetError';
import { listFolder, pathKind } from '../datasetFiles';
import { parseLabelTable } from '../labelTable';
import { datasetJsonDataset } from './datasetJsonDataset';

const CHANNEL_RE = /^(.*)_(\d{4})$/;

/**
 * nnU-Net v2: dataset.json with `labels` name → index and `file_ending`; images `imagesTr/{case}_0000{ending}`
 * (one file per channel), labels `labelsTr/{case}{ending}`; `imagesTs/` (+ `labelsTs/`) alike. An explicit
 * `dataset` map ({case: {images: [...], label}}) replaces the folder scan, as nnU-Net allows.
 * Med3D networks take one channel: extra channels are ignored with a warning.
 */
export async function openNnunetV2Dataset(root: string, json: Record<string, unknown>, jsonFile: string): Promise<SegmentationDataset> {
  const table = parseLabelTable(json.labels);
  if ('error' in table) throw new DatasetError(jsonFile, table.error);
  const ending = typeof json.file_ending === 'string' ? json.file_ending : '.nii.gz';
  if (!/^\.nii(\.gz)?$/i.test(ending)) throw new DatasetError(jsonFile, `file_ending '${ending}' is not supported (NIfTI: .nii.gz or .nii)`);
  const warnings: string[] = [];
  const bad: BadCase[] = [];
  const cases: SegmentationCaseRef[] = [];
  const multiChannel = new Set<string>();

  if (json.dataset && typeof json.dataset === 'object') {
    for (const [id, entry] of Object.entries(json.dataset as Record<string, { images?: unknown; label?: unknown }>)) {
      const images = Array.isArray(entry?.images) ? entry.images.filter((x): x is string => typeof x === 'string') : [];
      if (!images.length || typeof entry.label !== 'string') {
        bad.push({ id, file: jsonFile, reason: `dataset entry ${id} needs images [...] and a label` });
        continue;
      }
      if (images.length > 1) multiChannel.add(id);
      const image = path.resolve(root, images[0]);
      const label = path.resolve(root, entry.label);
      if (!(await pathKind(image))) bad.push({ id, file: image, reason: 'image listed in dataset.json not found' });
      else if (!(await pathKind(label))) bad.push({ id, file: label, reason: 'label listed in dataset.json not found' });
      else cases.push({ id, image, label, split: 'train' });
    }
  } else {
    for (const split of ['train', 'test'] as const) {
      const imgDir = path.join(root, split === 'train' ? 'imagesTr' : 'imagesTs');
      const labDir = path.join(root, split === 'train' ? 'labelsTr' : 'labelsTs');
      const byCase = new Map<string, string>();
      for (const e of await listFolder(imgDir)) {
        if (!e.name.toLowerCase().endsWith(ending.toLowerCase())) continue;
        const m = CHANNEL_RE.exec(e.name.slice(0, e.name.length - ending.length));
        if (!m) {
          warnings.push(`${path.relative(root, e.full)}: not named {case}_0000${ending}; ignored`);
          continue;
        }
        if (m[2] === '0000') byCase.set(m[1], e.full);
        else multiChannel.add(m[1]);
      }
      const labels = new Map<string, string>();
      for (const e of await listFolder(labDir)) if (e.name.toLowerCase().endsWith(ending.toLowerCase())) labels.set(e.name.slice(0, e.name.length - ending.length), e.full);
      for (const [id, label] of labels)
        if (!byCase.has(id)) bad.push({ id, file: label, reason: `label has no image ${path.relative(root, imgDir)}/${id}_0000${ending}` });
      for (const id of [...byCase.keys()].sort()) {
        const label = labels.get(id);
        if (split === 'train' && !label) {
          bad.push({ id, file: byCase.get(id)!, reason: `image has no label labelsTr/${id}${ending}` });
          continue;
        }
        cases.push({ id, image: byCase.get(id)!, ...(label ? { label } : {}), split });
      }
    }
  }
  if (multiChannel.size) warnings.push(`${multiChannel.size} case(s) have several channels; Med3D uses channel _0000 only`);
  const numTraining = typeof json.numTraining === 'number' ? json.numTraining : undefined;
  const nTrain = cases.filter((c) => c.split === 'train').length + bad.length;
  if (numTraining !== undefined && numTraining !== nTrain) warnings.push(`dataset.json says numTraining ${numTraining}, the folder has ${nTrain} training case(s)`);
  return datasetJsonDataset(root, 'nnunet-v2', json, { labels: table.labels, cases, bad, warnings });
}
