import path from 'node:path';
import { WorkspaceError } from './WorkspaceError';
import type { CaseSummary, ImportDatasetResult } from '../../common/api/types';
import { DatasetError } from '../datasets/DatasetError';
import { openDataset } from '../datasets/openDataset';
import { loadSegmentationCase } from '../datasets/loadSegmentationCase';
import { saveImportedLabel } from './importLabel';
import { planLabelValues } from './labelValueMap';
import type { Workspace } from './Workspace';

/**
 * `importDataset`: a labelled dataset folder (MSD / nnU-Net v1, nnU-Net v2, images/ + labels/)
 * becomes workspace cases, each with its label as the first label version (author 'import',
 * status 'verified'), values mapped onto the workspace's label table by name. Cases already in the
 * workspace with labels, unlabelled cases and cases that do not load are skipped with the reason;
 * the rest still import.
 */
export async function importDataset(ws: Workspace, dir: string, onProgress?: (done: number, total: number) => void): Promise<ImportDatasetResult> {
  let ds;
  try {
    ds = await openDataset(dir);
  } catch (err) {
    if (err instanceof DatasetError) throw new WorkspaceError('bad-file', err.message, err.file);
    throw err;
  }
  if (ds.kind !== 'segmentation') throw new WorkspaceError('invalid-request', `${dir} is a nodule CSV dataset: importDataset takes a labelled segmentation dataset folder`, dir);
  const skipped: ImportDatasetResult['skipped'] = ds.bad.map((b) => ({ item: b.id, path: b.file, reason: b.reason }));
  const cases: CaseSummary[] = [];
  // The dataset's table mapped once (new names added once); each case's save then matches by name.
  const plan = planLabelValues(ds.labels, ws.settings().labels);
  if (plan.added.length && ds.cases.some((c) => c.label)) await ws.updateSettings({ labels: [...ws.settings().labels, ...plan.added] });
  const warnings = [...ds.warnings];
  const known = new Map((await ws.listCases()).map((c) => [c.source, c]));
  for (const [n, ref] of ds.cases.entries()) {
    onProgress?.(n, ds.cases.length);
    const existing = known.get(path.resolve(ref.image));
    if (!ref.label) skipped.push({ item: ref.id, path: ref.image, reason: 'no label file (unlabelled test case)' });
    else if (existing && existing.labelVersions > 0) skipped.push({ item: ref.id, path: ref.image, reason: `already in the workspace as ${existing.caseId} with labels` });
    else {
      try {
        const loaded = await loadSegmentationCase(ds, ref);
        warnings.push(...loaded.warnings);
        const { image, label } = loaded;
        const grid = { dims: [...image.dims] as [number, number, number], affine: Array.from(image.affine), spacing: [...image.spacing] as [number, number, number] };
        const c = await ws.addCase(ref.image, { grid, name: ref.id });
        if (!ws.caseGrid(c.caseId)) await ws.setCaseGrid(c.caseId, grid);
        await saveImportedLabel(ws, c.caseId, label!, ds.labels, { status: 'verified', note: `imported from dataset ${ds.name}` });
        cases.push(await ws.getCase(c.caseId));
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        skipped.push({ item: ref.id, path: err.file, reason: err.reason });
      }
    }
  }
  onProgress?.(ds.cases.length, ds.cases.length);
  return { dataset: `${ds.name} (${ds.layout})`, cases, skipped, labels: plan.notes, warnings };
}
