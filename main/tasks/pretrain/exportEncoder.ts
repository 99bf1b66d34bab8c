import type { Med3dModel } from '../../engine/models/Med3dModel';
import { isEncoderKey } from '../../engine/models/Med3dModel';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import type { StateDict } from '../../engine/nn/StateDict';
import { saveCheckpoint, type CheckpointMeta } from '../../engine/weights/checkpoint';
import { writePth } from '../../engine/weights/writePth';

/**
 * The transferable part of a pretrained Med3D model: the encoder (conv1, bn1, layer1..4) without
 * the per-dataset branches, which the paper drops at transfer time. Written as our `.m3d`
 * (head 'none', metadata kept) and optionally as a MedicalNet-layout `.pth`
 * (`{'state_dict': {'module.conv1.weight': …}}`), which MedicalNet's PyTorch code loads into its
 * ResNet with `strict=False` (no conv_seg) and `train --weights` accepts like a released file.
 */
function encoderOnly(model: Med3dModel): { spec: ModelSpec; stateDict: StateDict } {
  const stateDict: StateDict = new Map([...model.stateDict()].filter(([k]) => isEncoderKey(k)));
  return { spec: { backbone: { ...model.spec.backbone }, head: { kind: 'none' } }, stateDict };
}

export interface EncoderFiles {
  /** Our checkpoint (.m3d). */
  out: string;
  /** MedicalNet-layout PyTorch file, when wanted. */
  pth?: string;
}

export async function exportEncoder(model: Med3dModel, files: EncoderFiles, meta: Omit<CheckpointMeta, 'createdAt'>): Promise<void> {
  const enc = encoderOnly(model);
  await saveCheckpoint(files.out, { ...enc, meta: { ...meta, createdAt: new Date().toISOString() } });
  if (files.pth) await writePth(files.pth, enc.stateDict);
}
