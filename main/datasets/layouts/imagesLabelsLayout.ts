import path from 'node:path';
import type { BadCase, LabelEntry, SegmentationCaseRef, SegmentationDataset } from '../Dataset';
import { DatasetError } from '../DatasetError';
import { listFolder, pathKind, readJson } from '../datasetFiles';
import { isNiftiVolumeName, stripNiftiExtension } from '../../../common/files/fileKind';
import { parseLabelTable } from '../labelTable';
import { readLabelFile } from '../readLabelFile';

/** Case name of an entry in images/ or labels/: NIfTI stem, DICOM file stem (`.dcm`), or the folder name. */
function caseName(name: string, kind: 'file' | 'dir' | 'broken-link'): string {
  if (kind === 'dir') return name;
  if (isNiftiVolumeName(name)) return stripNiftiExtension(name);
  return name.replace(/\.dcm$/i, '');
}

/**
 * A plain folder: `images/` (NIfTI files or DICOM series folders) and `labels/` (NIfTI or DICOM SEG) holding
 * entries of the same case name (`images/case1.nii.gz` ↔ `labels/case1.nii.gz`, `images/case2/` ↔
 * `labels/case2.dcm`). Label names come from a `labels.json` or `dataset.json` `labels` object (either
 * direction) when present; otherwise the label files are read once and their values (and DICOM SEG segment
 * names) make the table, with a warning. Images without a label are unlabelled test cases.
 */
export async function openImagesLabelsDataset(root: string): Promise<SegmentationDataset> {
  const warnings: string[] = [];
  const bad: BadCase[] = [];
  const cases: SegmentationCaseRef[] = [];
  const images = (await listFolder(path.join(root, 'images'))).filter((e) => e.kind === 'dir' || isNiftiVolumeName(e.name) || /\.dcm$/i.test(e.name) || e.kind === 'broken-link');
  const labels = new Map<string, string>();
  for (const e of await listFolder(path.join(root, 'labels'))) labels.set(caseName(e.name, e.kind), e.full);
  const imageIds = new Set<string>();
  for (const e of images) {
    const id = caseName(e.name, e.kind);
    imageIds.add(id);
    if (e.kind === 'broken-link') {
      bad.push({ id, file: e.full, reason: 'broken symbolic link' });
      continue;
    }
    const label = labels.get(id) ?? labels.get(id.replace(/_0000$/, ''));
    if (label && !(await pathKind(label))) bad.push({ id, file: label, reason: 'broken symbolic link' });
    else cases.push({ id, image: e.full, ...(label ? { label } : {}), split: label ? 'train' : 'test' });
  }
  for (const [id, file] of labels)
    if (!imageIds.has(id) && !imageIds.has(`${id}_0000`)) bad.push({ id, file, reason: `label has no image of the same name in images/` });
  const unlabelled = cases.filter((c) => !c.label).length;
  if (unlabelled) warnings.push(`${unlabelled} image(s) have no label in labels/ and are used as unlabelled test cases`);

  let table: LabelEntry[] | null = null;
  for (const name of ['labels.json', 'dataset.json']) {
    const file = path.join(root, name);
    if ((await pathKind(file)) !== 'file') continue;
    const json = (await readJson(file).catch((e: Error) => {
      throw new DatasetError(file, e.message);
    })) as Record<string, unknown>;
    const parsed = parseLabelTable(name === 'labels.json' && !('labels' in json) ? json : json.labels);
    if ('error' in parsed) throw new DatasetError(file, parsed.error);
    table = parsed.labels;
    break;
  }
  if (!table) table = await labelsFromFiles(cases, bad, warnings);
  return { kind: 'segmentation', root, layout: 'images-labels', name: path.basename(root), labels: table, cases, bad, warnings };
}

/** Build the label table from the values in the label files (DICOM SEG segment names when given). */
async function labelsFromFiles(cases: SegmentationCaseRef[], bad: BadCase[], warnings: string[]): Promise<LabelEntry[]> {
  const names = new Map<number, string>([[0, 'background']]);
  const placeholder = new Set<number>();
  for (const c of [...cases]) {
    if (!c.label) continue;
    try {
      const map = await readLabelFile(c.label);
      const present = new Set<number>();
      for (let i = 0; i < map.data.length; i++) present.add(map.data[i]);
      // DICOM SEG segment names beat the placeholders earlier NIfTI files left.
      for (const l of map.labels) if (l.value !== 0 && (!names.has(l.value) || placeholder.has(l.value))) {
        names.set(l.value, l.name);
        placeholder.delete(l.value);
      }
      for (const v of present)
        if (!names.has(v)) {
          names.set(v, `label ${v}`);
          placeholder.add(v);
        }
    } catch (err) {
      // An unreadable label is this case's problem, reported by checkDataset, not the dataset's.
      cases.splice(cases.indexOf(c), 1);
      bad.push({ id: c.id, file: c.label, reason: err instanceof DatasetError ? err.reason : (err as Error).message });
    }
  }
  const table = [...names].sort((a, b) => a[0] - b[0]).map(([value, name]) => ({ value, name }));
  warnings.push(`no labels.json or dataset.json: label table taken from the label files (${table.map((l) => `${l.value} ${l.name}`).join(', ')})`);
  return table;
}
