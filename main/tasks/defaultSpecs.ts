import type { BackboneSpec, ModelSpec } from '../engine/models/ModelSpec';
import { LUNG_TASK, NODULE_TASK } from './taskDefinitions';

const LUNG_CLASSES = LUNG_TASK.labels === 'from-dataset' ? 3 : LUNG_TASK.labels.length;

/**
 * Models a task starts from when the workspace has none: small MedicalNet ResNet-10s that train
 * on a desktop CPU (the paper's widths are 64; ours default to 8 and take the released widths
 * whenever a MedicalNet .pth is imported).
 */
export function tinyBackbone(baseWidth = 8): BackboneSpec {
  return { depth: 10, shortcut: 'B', baseWidth, preActivation: false, inChannels: 1 };
}

/** The lung TaskDefinition's model (background, right lung, left lung). */
export function lungSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  return { backbone, head: LUNG_TASK.head(backbone, LUNG_CLASSES) };
}

/** The nodule TaskDefinition's model (benign, malignant). */
export function noduleSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  return { backbone, head: NODULE_TASK.head(backbone, 2) };
}
