import type { BackboneSpec, HeadSpec } from '../engine/models/ModelSpec';
import { LUNG_LABEL_TABLE } from './lung/lungLabels';
import { liverTaskDefinition } from './liver/liverTaskDefinition';
import { TaskRegistry, type TaskDefinition } from './TaskDefinition';

/**
 * The built-in tasks. Defaults follow the reference recipe (ResNet-10, width 16, the
 * paper's decoder, 48×48×32 patches): a useful model in minutes on a 2-core laptop.
 */
export const DEFAULT_BACKBONE: BackboneSpec = { depth: 10, shortcut: 'B', baseWidth: 16, preActivation: false, inChannels: 1 };

/** The paper's lung decoder for any class count, channels scaled to the backbone width. */
function decoder(b: BackboneSpec, classes: number): HeadSpec {
  const c = Math.max(8, b.baseWidth * 2);
  return { kind: 'lung-decoder', classes, channels: [c, c, c] };
}

export const SEGMENT_TASK: TaskDefinition = {
  id: 'segment',
  title: 'N-class segmentation, classes from the dataset (encoder + the paper\'s decoder)',
  kind: 'segmentation',
  checkpointTask: 'segmentation',
  labels: 'from-dataset',
  head: decoder,
  backbone: DEFAULT_BACKBONE,
  preprocessing: { clip: [0.5, 99.5], orientation: 'RAS' },
  patch: [48, 48, 32],
  batchSize: 2,
  metric: 'dice',
  recipe: 'segmentation-patches',
};

export const LUNG_TASK: TaskDefinition = {
  ...SEGMENT_TASK,
  id: 'lung',
  title: 'Lung segmentation (right / left lung label table)',
  checkpointTask: 'lung-segmentation',
  labels: [{ value: 0, name: 'background' }, ...LUNG_LABEL_TABLE.map((l) => ({ value: l.value, name: l.name }))],
};

export const NODULE_TASK: TaskDefinition = {
  id: 'nodule',
  title: 'Nodule malignancy from patches centred on each nodule (encoder + GAP + FC)',
  kind: 'classification',
  checkpointTask: 'nodule-malignancy',
  labels: [
    { value: 0, name: 'benign' },
    { value: 1, name: 'malignant' },
  ],
  head: (_b, classes) => ({ kind: 'classifier', classes }),
  backbone: DEFAULT_BACKBONE,
  preprocessing: { clip: [0.5, 99.5], patchSpacingMm: 1 },
  patch: [32, 32, 32],
  batchSize: 8,
  metric: 'score',
  recipe: 'nodule-patches',
};

/** A registry of the built-in tasks (segment, lung, liver, nodule) plus `extra`. */
export function createTaskRegistry(extra: readonly TaskDefinition[] = []): TaskRegistry {
  return new TaskRegistry([SEGMENT_TASK, LUNG_TASK, liverTaskDefinition(DEFAULT_BACKBONE), NODULE_TASK, ...extra]);
}
