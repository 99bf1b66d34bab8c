import type { RunTaskRequest } from '../../common/api';

/**
 * The tasks the task panel offers, one entry each; TasksController.runTask(task) runs any of
 * them. 'segment' tasks start a segmentation job on the open case; 'point' tasks wait for a
 * click in a view (the voxel the task looks at). Adding a task is adding an entry here.
 */
export type TaskEntry =
  | { id: RunTaskRequest['task']; kind: 'segment'; label: string }
  | { id: 'nodule'; kind: 'point'; label: string; hint: string };

export const TASKS: readonly TaskEntry[] = [
  { id: 'lung', kind: 'segment', label: 'Run lung segmentation' },
  { id: 'liver', kind: 'segment', label: 'Run liver segmentation' },
  { id: 'nodule', kind: 'point', label: 'Classify nodule…', hint: 'Then click the nodule: benign (LIDC 1–3) vs malignant (4–5)' },
];
