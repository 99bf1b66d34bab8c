/**
 * What a Med3D model is, as data: enough to rebuild it, to check a checkpoint against it and to
 * show it to the user. Produced by architecture inference from a PyTorch state dict
 * (weights/inferArchitecture) and stored in our own checkpoints' metadata.
 */
export type ResNetDepth = 10 | 18 | 34 | 50 | 101 | 152 | 200;
export type ShortcutType = 'A' | 'B';

export interface BackboneSpec {
  depth: ResNetDepth;
  /** 'A': subsample + zero-pad channels (no parameters); 'B': 1x1x1 conv + BN. */
  shortcut: ShortcutType;
  /** Planes of layer1 (64 in MedicalNet); layers 2..4 use 2x, 4x, 8x. */
  baseWidth: number;
  /** Pre-activation ResNet (the paper's ResNet-200 variant); false for MedicalNet's released nets. */
  preActivation: boolean;
  /** Input channels (1 for CT/MR). */
  inChannels: number;
}

export type HeadSpec =
  /** MedicalNet's conv_seg: ConvT k2 s2 → BN → ReLU → conv 3³ → BN → ReLU → conv 1³. */
  | { kind: 'medicalnet-seg'; classes: number; hidden: number }
  /** Paper's lung decoder: 3 groups (ConvT 3³ ×2 upsampling + conv 3³), then conv 1³. */
  | { kind: 'lung-decoder'; classes: number; channels: [number, number, number] }
  /** Nodule malignancy: global average pool + fully connected. */
  | { kind: 'classifier'; classes: number }
  /** Liver coarse stage: conv 1³ to classes + trilinear upsampling to the input size. */
  | { kind: 'liver-coarse'; classes: number }
  /** Liver fine stage: 3D DenseASPP on the backbone features. */
  | { kind: 'dense-aspp'; classes: number; growth: number; rates: number[] }
  /** Liver pair on one encoder: branch 0 coarse (liver-coarse), branch 1 fine (dense-aspp). */
  | { kind: 'liver-two-stage'; classes: number; growth: number; rates: number[] }
  /** Multi-domain pretraining: one light branch (conv 1³ + upsampling) per dataset. */
  | { kind: 'multi-domain'; classesPerDomain: number[] }
  /** Encoder only (e.g. MedicalNet files without conv_seg). */
  | { kind: 'none' };

export interface ModelSpec {
  backbone: BackboneSpec;
  head: HeadSpec;
}
