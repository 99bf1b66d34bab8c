import type { LabelMap } from '../../volume/Volume';
import type { TaskName } from '../taskRegistry';

/**
 * Task class indices ↔ workspace label values (the workspace's default table: 1 right lung,
 * 2 left lung, 3 liver, 4 nodule). Models predict class indices; the workspace stores labels.
 */
const TO_WORKSPACE: Record<TaskName, Record<number, number>> = {
  lung: { 1: 1, 2: 2 },
  liver: { 1: 3 },
  nodule: { 1: 4, 2: 4 },
};

/** Task mask (model classes) → workspace label values, other labels of `existing` kept. */
export function toWorkspaceLabels(task: TaskName, mask: LabelMap, existing?: Uint8Array): Uint8Array {
  const map = TO_WORKSPACE[task];
  const taskValues = new Set(Object.values(map));
  const out = new Uint8Array(mask.data.length);
  for (let p = 0; p < out.length; p++) {
    const keep = existing && !taskValues.has(existing[p]) ? existing[p] : 0;
    const v = map[mask.data[p]] ?? 0;
    out[p] = v || keep;
  }
  return out;
}

/** Workspace labels → task classes (0 = background) for training. */
export function toTaskClasses(task: TaskName, labels: Uint8Array): Uint8Array {
  const inv = new Map<number, number>();
  for (const [cls, lab] of Object.entries(TO_WORKSPACE[task])) if (!inv.has(lab)) inv.set(lab, Number(cls));
  const out = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) out[p] = inv.get(labels[p]) ?? 0;
  return out;
}

/** The tasks whose classes are stored as one of these workspace label values (which tasks a label map teaches). */
export function tasksOfLabelValues(values: Iterable<number>): TaskName[] {
  const present = new Set(values);
  return (Object.keys(TO_WORKSPACE) as TaskName[]).filter((task) => Object.values(TO_WORKSPACE[task]).some((v) => present.has(v)));
}
