import path from 'node:path';
import { WorkspaceError } from './WorkspaceError';
import type { CaseStatus, ImportLabelResult, LabelVersionInfo } from '../../common/api/types';
import { DatasetError } from '../datasets/DatasetError';
import { readLabelFile } from '../datasets/readLabelFile';
import { worldExtent } from '../datasets/worldExtent';
import type { LabelMap, Vec3 } from '../volume/Volume';
import { gridOf, sameGrid, type Grid } from '../volume/geometry/grid';
import { resampleToGrid } from '../volume/geometry/resample';
import { applyLabelValues, planLabelValues, type SourceLabel } from './labelValueMap';
import type { CaseGrid } from './manifest';
import type { Workspace } from './Workspace';

/**
 * Labels from outside (a NIfTI mask, a DICOM SEG, a dataset's label file) as a new label version
 * of a workspace case: on the case's scan grid (label-vote resampling, the one resampler, when the
 * file's grid differs), values mapped onto the workspace's label table (labelValueMap).
 */
/** Affines equal to this many mm count as the same grid (NIfTI stores float32). */
const GRID_TOL_MM = 1e-3;

export function caseGridOf(g: CaseGrid): Grid {
  return { dims: [...g.dims] as Vec3, affine: Float64Array.from(g.affine) };
}

const span = (e: { min: Vec3; max: Vec3 }): string => e.min.map((m, a) => `${m.toFixed(0)}…${e.max[a].toFixed(0)}`).join(', ');

/**
 * Put `label` on `target`: as is on the same grid, else by label vote. Refused (one line naming
 * `file`) when the two do not overlap in world space or none of its labelled voxels land in the scan.
 */
export function labelOnGrid(label: LabelMap, target: Grid, file: string, what: string): { label: LabelMap; resampled: boolean; warnings: string[] } {
  if (sameGrid(gridOf(label), target, GRID_TOL_MM)) return { label, resampled: false, warnings: [] };
  const a = worldExtent(label);
  const b = worldExtent(target);
  const overlaps = [0, 1, 2].every((k) => a.min[k] < b.max[k] && b.min[k] < a.max[k]);
  const refuse = (why: string): never => {
    throw new WorkspaceError('invalid-request', `${file} ${why}: the label spans RAS ${span(a)} mm, ${what} ${span(b)} mm`, file);
  };
  if (!overlaps) refuse(`does not overlap the scan of ${what}`);
  const out = resampleToGrid(label, target, { interpolation: 'label' });
  if (label.data.some((v) => v !== 0) && !out.data.some((v) => v !== 0)) refuse(`has no labelled voxel inside the scan of ${what}`);
  return {
    label: { ...out, labels: label.labels },
    resampled: true,
    warnings: [`${path.basename(file)}: grid ${label.dims.join('x')} differs from the scan's ${target.dims.join('x')}; resampled by label vote`],
  };
}

/** Map `label` (already on the case grid) onto the workspace's values and save it as a new version. */
export async function saveImportedLabel(
  ws: Workspace,
  caseId: string,
  label: LabelMap,
  source: readonly SourceLabel[],
  opts: { status: CaseStatus; note: string },
): Promise<{ version: LabelVersionInfo; mapped: string[] }> {
  const present = new Set<number>();
  for (let p = 0; p < label.data.length; p++) present.add(label.data[p]);
  const names = new Map(source.map((s) => [s.value, s.name]));
  const plan = planLabelValues(
    [...present].sort((x, y) => x - y).map((value) => ({ value, name: names.get(value) ?? String(value) })),
    ws.settings().labels,
  );
  if (plan.added.length) await ws.updateSettings({ labels: [...ws.settings().labels, ...plan.added] });
  const data = applyLabelValues(label.data, label.dims, label.affine, plan);
  const note = `${opts.note}${plan.notes.length ? `; ${plan.notes.join('; ')}` : ''}`;
  const version = await ws.saveLabel(caseId, data, { status: opts.status, author: 'import', note });
  return { version, mapped: plan.notes };
}

/** `importLabel`: a NIfTI mask or DICOM SEG file (or a folder holding one SEG) onto a case. */
export async function importLabelFile(ws: Workspace, caseId: string, file: string, grid: CaseGrid, status: CaseStatus): Promise<ImportLabelResult> {
  let label: LabelMap;
  try {
    label = await readLabelFile(file);
  } catch (err) {
    if (err instanceof DatasetError) throw new WorkspaceError('bad-file', err.message, err.file);
    throw err;
  }
  const placed = labelOnGrid(label, caseGridOf(grid), file, `case ${caseId}`);
  const { version, mapped } = await saveImportedLabel(ws, caseId, placed.label, placed.label.labels, { status, note: `imported from ${path.basename(file)}` });
  return { version, mapped, resampled: placed.resampled, warnings: placed.warnings };
}
