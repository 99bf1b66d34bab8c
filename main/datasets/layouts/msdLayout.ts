import path from 'node:path';
import type { BadCase, SegmentationCaseRef, SegmentationDataset } from '../Dataset';
import { DatasetError } from '../DatasetError';
import { channelFile, listFolder, pathKind } from '../datasetFiles';
import { isNiftiVolumeName, stripNiftiExtension } from '../../../common/files/fileKind';
import { parseLabelTable } from '../labelTable';
import { datasetJsonDataset } from './datasetJsonDataset';

/**
 * Medical Segmentation Decathlon / nnU-Net v1: dataset.json with `labels` index → name and `training`
 * [{image, label}] paths relative to the folder ("./imagesTr/liver_0.nii.gz"); `test` lists imagesTs files.
 * nnU-Net v1 lists "./imagesTr/x.nii.gz" but stores the file as imagesTr/x_0000.nii.gz: both are accepted.
 */
export async function openMsdDataset(root: string, json: Record<string, unknown>, jsonFile: string): Promise<SegmentationDataset> {
  const table = parseLabelTable(json.labels);
  if ('error' in table) throw new DatasetError(jsonFile, table.error);
  const warnings: string[] = [];
  const bad: BadCase[] = [];
  const cases: SegmentationCaseRef[] = [];
  const seen = new Set<string>();

  const resolveImage = async (rel: string): Promise<string | null> => {
    const p = path.resolve(root, rel);
    if (await pathKind(p)) return p;
    const v1 = channelFile(p, 0);
    if (await pathKind(v1)) {
      if (await pathKind(channelFile(p, 1))) warnings.push(`${path.basename(p)}: several channels (_0000, _0001…); only channel _0000 is used`);
      return v1;
    }
    return null;
  };

  const training = json.training;
  if (training !== undefined && !Array.isArray(training)) throw new DatasetError(jsonFile, '`training` is not a list');
  const trainList = (training as unknown[] | undefined) ?? [];
  for (let n = 0; n < trainList.length; n++) {
    const t = trainList[n] as { image?: unknown; label?: unknown } | null;
    if (!t || typeof t.image !== 'string') {
      bad.push({ id: `training[${n}]`, file: jsonFile, reason: `training entry ${n} has no image path` });
      continue;
    }
    const id = stripNiftiExtension(path.basename(t.image));
    if (seen.has(id)) {
      warnings.push(`case ${id} is listed twice in training; the first entry is used`);
      continue;
    }
    seen.add(id);
    const image = await resolveImage(t.image);
    if (!image) {
      bad.push({ id, file: path.resolve(root, t.image), reason: 'image listed in dataset.json not found' });
      continue;
    }
    if (typeof t.label !== 'string') {
      bad.push({ id, file: jsonFile, reason: `training case ${id} has no label path` });
      continue;
    }
    const label = path.resolve(root, t.label);
    if (!(await pathKind(label))) {
      bad.push({ id, file: label, reason: 'label listed in dataset.json not found' });
      continue;
    }
    cases.push({ id, image, label, split: 'train' });
  }
  if (training === undefined) {
    // Some exports omit the list: pair imagesTr with labelsTr by name.
    warnings.push('dataset.json has no `training` list; imagesTr/ and labelsTr/ are paired by file name');
    for (const e of await listFolder(path.join(root, 'labelsTr'))) {
      if (!isNiftiVolumeName(e.name)) continue;
      const id = stripNiftiExtension(e.name);
      const image = await resolveImage(path.join('imagesTr', e.name));
      if (!image) bad.push({ id, file: e.full, reason: 'label has no image in imagesTr/' });
      else cases.push({ id, image, label: e.full, split: 'train' });
      seen.add(id);
    }
  }
  const unlisted = (await listFolder(path.join(root, 'imagesTr'))).filter(
    (e) => isNiftiVolumeName(e.name) && !seen.has(stripNiftiExtension(e.name)) && !seen.has(stripNiftiExtension(e.name).replace(/_\d{4}$/, '')),
  );
  if (unlisted.length) warnings.push(`${unlisted.length} file(s) in imagesTr/ not listed in dataset.json are ignored (${unlisted.slice(0, 3).map((e) => e.name).join(', ')}${unlisted.length > 3 ? ', …' : ''})`);

  // Test cases: the `test` list, else whatever imagesTs holds; labelled when labelsTs has the same name.
  const testNames = new Set<string>();
  const testList = Array.isArray(json.test) ? json.test : [];
  for (const t of testList) {
    const rel = typeof t === 'string' ? t : typeof (t as { image?: unknown })?.image === 'string' ? (t as { image: string }).image : null;
    if (rel) testNames.add(path.basename(rel));
  }
  if (testNames.size === 0) for (const e of await listFolder(path.join(root, 'imagesTs'))) if (isNiftiVolumeName(e.name)) testNames.add(e.name.replace(/_0000(\.nii(\.gz)?)$/i, '$1'));
  for (const name of [...testNames].sort()) {
    const id = stripNiftiExtension(name);
    if (seen.has(id)) continue;
    const image = await resolveImage(path.join('imagesTs', name));
    if (!image) {
      bad.push({ id, file: path.join(root, 'imagesTs', name), reason: 'test image listed in dataset.json not found' });
      continue;
    }
    const labelPath = path.join(root, 'labelsTs', name);
    cases.push({ id, image, ...((await pathKind(labelPath)) === 'file' ? { label: labelPath } : {}), split: 'test' });
  }
  return datasetJsonDataset(root, 'msd', json, { labels: table.labels, cases, bad, warnings });
}
