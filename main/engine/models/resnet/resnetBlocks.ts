import type { BackboneSpec, ResNetDepth } from '../ModelSpec';

/**
 * Block type and blocks per stage of each 3D ResNet depth (MedicalNet's models/resnet.py): the
 * one table the encoder, the state-dict layout and architecture inference all read.
 */
export type BlockType = 'basic' | 'bottleneck';

export const RESNET_BLOCKS: Readonly<Record<ResNetDepth, { block: BlockType; counts: readonly [number, number, number, number] }>> = {
  10: { block: 'basic', counts: [1, 1, 1, 1] },
  18: { block: 'basic', counts: [2, 2, 2, 2] },
  34: { block: 'basic', counts: [3, 4, 6, 3] },
  50: { block: 'bottleneck', counts: [3, 4, 6, 3] },
  101: { block: 'bottleneck', counts: [3, 4, 23, 3] },
  152: { block: 'bottleneck', counts: [3, 8, 36, 3] },
  200: { block: 'bottleneck', counts: [3, 24, 36, 3] },
};

export const expansionOf = (block: BlockType): number => (block === 'bottleneck' ? 4 : 1);

/** Channels of layer4's output (what heads see). */
export function encoderChannels(b: BackboneSpec): number {
  return 8 * b.baseWidth * expansionOf(RESNET_BLOCKS[b.depth].block);
}
