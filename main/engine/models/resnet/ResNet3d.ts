import { maxPool3d } from '../../nn/autograd/poolOps';
import type { Var } from '../../nn/autograd/Var';
import { BatchNorm3d } from '../../nn/layers/BatchNorm3d';
import { Conv3d } from '../../nn/layers/Conv3d';
import { convBn } from '../../nn/layers/convBn';
import { Group } from '../../nn/layers/Group';
import type { SeedSequence } from '../../nn/layers/init';
import type { ForwardCtx } from '../../nn/layers/Module';
import { stage } from '../../nn/layers/scoped';
import type { BackboneSpec, ResNetDepth } from '../ModelSpec';
import { RESNET_BLOCKS } from './resnetBlocks';
import { BasicBlock, Bottleneck, type BlockConfig, type ResidualBlock } from './blocks';

/** Blocks per stage for each depth (MedicalNet's resnet10 … resnet200): one table, shared with the state-dict layout. */
const RESNET_CONFIG = RESNET_BLOCKS;

/** Stage strides and dilations: layer3/4 keep the resolution and dilate instead (Med3D). */
const STAGES = [
  { stride: 1, dilation: 1 },
  { stride: 2, dilation: 1 },
  { stride: 1, dilation: 2 },
  { stride: 1, dilation: 4 },
] as const;

export function expansionOf(depth: ResNetDepth): number {
  return RESNET_CONFIG[depth].block === 'bottleneck' ? 4 : 1;
}

/**
 * The Med3D encoder: conv1 7³ s2 p3 → bn1 → ReLU → maxpool 3³ s2 p1 → layer1..4. The modules
 * are owned by this object but registered on the model root by `attach`, so their state-dict
 * names carry no prefix ('conv1.weight', 'layer4.0.bn2.running_var'), as in MedicalNet.
 */
export class ResNet3dEncoder {
  readonly conv1: Conv3d;
  readonly bn1: BatchNorm3d;
  readonly layers: Group[] = [];
  readonly blocks: ResidualBlock[][] = [];
  readonly outChannels: number;

  constructor(
    readonly spec: BackboneSpec,
    seeds: SeedSequence,
    bnEps = 1e-5,
    bnMomentum = 0.1,
  ) {
    const cfg = RESNET_CONFIG[spec.depth];
    if (!cfg) throw new Error(`unsupported ResNet depth ${String(spec.depth)} (known: ${Object.keys(RESNET_CONFIG).join(', ')})`);
    const exp = expansionOf(spec.depth);
    const w = spec.baseWidth;
    this.conv1 = new Conv3d(spec.inChannels, w, { kernel: 7, stride: 2, padding: 3 }, seeds);
    this.bn1 = new BatchNorm3d(w, bnEps, bnMomentum);
    let inplanes = w;
    STAGES.forEach(({ stride, dilation }, li) => {
      const planes = w * 2 ** li;
      const group = new Group();
      const list: ResidualBlock[] = [];
      for (let bi = 0; bi < cfg.counts[li]; bi++) {
        const first = bi === 0;
        const c: BlockConfig = {
          inplanes,
          planes,
          stride: first ? stride : 1,
          dilation,
          shortcut: first && (stride !== 1 || inplanes !== planes * exp) ? spec.shortcut : null,
          preActivation: spec.preActivation,
          bnEps,
          bnMomentum,
        };
        const b = cfg.block === 'basic' ? new BasicBlock(c, seeds) : new Bottleneck(c, seeds);
        group.add(bi, b);
        list.push(b);
        inplanes = planes * exp;
      }
      this.layers.push(group);
      this.blocks.push(list);
    });
    this.outChannels = inplanes;
  }

  attach(reg: (name: string, m: Conv3d | BatchNorm3d | Group) => void): void {
    reg('conv1', this.conv1);
    reg('bn1', this.bn1);
    this.layers.forEach((g, i) => reg(`layer${i + 1}`, g));
  }

  /** x: NDHWC input → layer4 features (after its last ReLU). `x` itself is never disposed. */
  forward(x: Var, ctx: ForwardCtx): Var {
    let h = stage(() => maxPool3d(convBn(this.conv1, this.bn1, x, ctx, true), { kernel: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1] }));
    for (const stageBlocks of this.blocks) {
      for (const b of stageBlocks) {
        const input: Var = h;
        h = stage(() => b.forward(input, ctx), input);
      }
    }
    return h;
  }
}

