import type { Triple } from '../../nn/kernels/KernelProvider';
import { add, subsampleZeroPad } from '../../nn/autograd/basicOps';
import type { Var } from '../../nn/autograd/Var';
import { BatchNorm3d } from '../../nn/layers/BatchNorm3d';
import { Conv3d } from '../../nn/layers/Conv3d';
import { convBn } from '../../nn/layers/convBn';
import type { SeedSequence } from '../../nn/layers/init';
import { Module, type ForwardCtx } from '../../nn/layers/Module';
import type { ShortcutType } from '../ModelSpec';

/**
 * Residual blocks of MedicalNet's models/resnet.py (github.com/Tencent/MedicalNet), with its
 * module names, plus the pre-activation variants (He et al. 2016, "Identity Mappings") the
 * paper lists for ResNet-200.
 */
export interface BlockConfig {
  inplanes: number;
  planes: number;
  stride: number;
  dilation: number;
  /** Shortcut projection kind when this block needs one (first block of a stage), else null. */
  shortcut: ShortcutType | null;
  preActivation: boolean;
  bnEps: number;
  bnMomentum: number;
}

export interface ResidualBlock extends Module {
  forward(x: Var, ctx: ForwardCtx): Var;
}

/** Shortcut B: `downsample.0` Conv3d 1³ with the stride + `downsample.1` BatchNorm3d. */
class DownsampleB extends Module {
  readonly conv: Conv3d;
  readonly bn: BatchNorm3d;
  constructor(inC: number, outC: number, stride: number, eps: number, momentum: number, seeds: SeedSequence) {
    super();
    this.conv = this.registerModule('0', new Conv3d(inC, outC, { kernel: 1, stride }, seeds));
    this.bn = this.registerModule('1', new BatchNorm3d(outC, eps, momentum));
  }
  forward(x: Var, ctx: ForwardCtx): Var {
    return convBn(this.conv, this.bn, x, ctx, false);
  }
}

type Shortcut = ((x: Var, ctx: ForwardCtx) => Var) | null;

function makeShortcut(owner: { reg: (m: DownsampleB) => DownsampleB }, c: BlockConfig, outC: number, seeds: SeedSequence): Shortcut {
  if (!c.shortcut) return null;
  if (c.shortcut === 'A') {
    const s: Triple = [c.stride, c.stride, c.stride];
    return (x) => subsampleZeroPad(x, s, outC);
  }
  const ds = owner.reg(new DownsampleB(c.inplanes, outC, c.stride, c.bnEps, c.bnMomentum, seeds));
  return (x, ctx) => ds.forward(x, ctx);
}

export class BasicBlock extends Module implements ResidualBlock {
  static readonly expansion = 1;
  readonly conv1: Conv3d;
  readonly bn1: BatchNorm3d;
  readonly conv2: Conv3d;
  readonly bn2: BatchNorm3d;
  private readonly shortcut: Shortcut;

  constructor(
    readonly cfg: BlockConfig,
    seeds: SeedSequence,
  ) {
    super();
    const { inplanes, planes, stride, dilation, bnEps: e, bnMomentum: m } = cfg;
    this.conv1 = this.registerModule('conv1', new Conv3d(inplanes, planes, { kernel: 3, stride, padding: dilation, dilation }, seeds));
    this.bn1 = this.registerModule('bn1', new BatchNorm3d(cfg.preActivation ? inplanes : planes, e, m));
    this.conv2 = this.registerModule('conv2', new Conv3d(planes, planes, { kernel: 3, padding: dilation, dilation }, seeds));
    this.bn2 = this.registerModule('bn2', new BatchNorm3d(planes, e, m));
    this.shortcut = makeShortcut({ reg: (d) => this.registerModule('downsample', d) }, cfg, planes, seeds);
  }

  forward(x: Var, ctx: ForwardCtx): Var {
    if (this.cfg.preActivation) {
      const pre = this.bn1.forward(x, ctx, true);
      const res = this.shortcut ? this.shortcut(pre, ctx) : x;
      const out = this.conv2.forward(this.bn2.forward(this.conv1.forward(pre), ctx, true));
      return add(out, res);
    }
    const h = convBn(this.conv1, this.bn1, x, ctx, true);
    const res = this.shortcut ? this.shortcut(x, ctx) : x;
    return convBn(this.conv2, this.bn2, h, ctx, true, res);
  }
}

export class Bottleneck extends Module implements ResidualBlock {
  static readonly expansion = 4;
  readonly conv1: Conv3d;
  readonly bn1: BatchNorm3d;
  readonly conv2: Conv3d;
  readonly bn2: BatchNorm3d;
  readonly conv3: Conv3d;
  readonly bn3: BatchNorm3d;
  private readonly shortcut: Shortcut;

  constructor(
    readonly cfg: BlockConfig,
    seeds: SeedSequence,
  ) {
    super();
    const { inplanes, planes, stride, dilation, bnEps: e, bnMomentum: m, preActivation: pa } = cfg;
    const outC = planes * Bottleneck.expansion;
    this.conv1 = this.registerModule('conv1', new Conv3d(inplanes, planes, { kernel: 1 }, seeds));
    this.bn1 = this.registerModule('bn1', new BatchNorm3d(pa ? inplanes : planes, e, m));
    // MedicalNet puts the stride on the 3³ conv (conv2).
    this.conv2 = this.registerModule('conv2', new Conv3d(planes, planes, { kernel: 3, stride, padding: dilation, dilation }, seeds));
    this.bn2 = this.registerModule('bn2', new BatchNorm3d(planes, e, m));
    this.conv3 = this.registerModule('conv3', new Conv3d(planes, outC, { kernel: 1 }, seeds));
    this.bn3 = this.registerModule('bn3', new BatchNorm3d(pa ? planes : outC, e, m));
    this.shortcut = makeShortcut({ reg: (d) => this.registerModule('downsample', d) }, cfg, outC, seeds);
  }

  forward(x: Var, ctx: ForwardCtx): Var {
    if (this.cfg.preActivation) {
      const pre = this.bn1.forward(x, ctx, true);
      const res = this.shortcut ? this.shortcut(pre, ctx) : x;
      let out = this.bn2.forward(this.conv1.forward(pre), ctx, true);
      out = this.bn3.forward(this.conv2.forward(out), ctx, true);
      return add(this.conv3.forward(out), res);
    }
    let out = convBn(this.conv1, this.bn1, x, ctx, true);
    out = convBn(this.conv2, this.bn2, out, ctx, true);
    const res = this.shortcut ? this.shortcut(x, ctx) : x;
    return convBn(this.conv3, this.bn3, out, ctx, true, res);
  }
}
