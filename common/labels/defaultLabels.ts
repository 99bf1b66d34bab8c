import type { LabelDef } from '../api/types';

/**
 * The label table a new workspace starts with and the editor offers before a workspace or scan
 * says otherwise. The values are a contract: the tasks' classes are stored as these values
 * (main/tasks/jobs/taskLabels.ts: lung → 1 right, 2 left; liver → 3; nodule → 4).
 */
const DEFAULT_LABELS: readonly LabelDef[] = [
  { value: 1, name: 'Right lung', color: [220, 80, 80] },
  { value: 2, name: 'Left lung', color: [80, 160, 230] },
  { value: 3, name: 'Liver', color: [200, 140, 60] },
  { value: 4, name: 'Nodule', color: [240, 220, 60] },
];

/** A fresh copy of the default table (callers may edit theirs). */
export function defaultLabels(): LabelDef[] {
  return DEFAULT_LABELS.map((l) => ({ ...l, color: [...l.color] }));
}
