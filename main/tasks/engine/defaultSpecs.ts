import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';

/**
 * Models a task starts from when the workspace has none: small MedicalNet ResNet-10s that train
 * on a desktop CPU (the paper's widths are 64; ours default to 8 and take the released widths
 * whenever a MedicalNet .pth is imported).
 */
export function tinyBackbone(baseWidth = 8): BackboneSpec {
  return { depth: 10, shortcut: 'B', baseWidth, preActivation: false, inChannels: 1 };
}

export function lungSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  const c = Math.max(8, backbone.baseWidth * 2);
  return { backbone, head: { kind: 'lung-decoder', classes: 3, channels: [c, c, c] } };
}

export function liverCoarseSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  return { backbone, head: { kind: 'liver-coarse', classes: 2 } };
}

export function liverFineSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  return { backbone, head: { kind: 'dense-aspp', classes: 2, growth: Math.max(4, backbone.baseWidth), rates: [3, 6, 12] } };
}

export function noduleSpec(backbone: BackboneSpec = tinyBackbone()): ModelSpec {
  return { backbone, head: { kind: 'classifier', classes: 2 } };
}
