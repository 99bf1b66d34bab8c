import { SeedSequence } from '../nn/layers/init';
import { ClassifierHead } from './heads/ClassifierHead';
import { DenseAsppHead } from './heads/DenseAsppHead';
import type { Head } from './heads/Head';
import { LiverTwoStageHead } from './heads/LiverTwoStageHead';
import { LungDecoderHead } from './heads/LungDecoderHead';
import { MedicalNetSegHead } from './heads/MedicalNetSegHead';
import { MultiDomainHead } from './heads/MultiDomainHead';
import { UpsampledConvHead } from './heads/UpsampledConvHead';
import { Med3dModel } from './Med3dModel';
import type { HeadSpec, ModelSpec } from './ModelSpec';
import { ResNet3dEncoder } from './resnet/ResNet3d';

export interface BuildOptions {
  /** Seed of the random initialisation (default 0): same seed, same weights. */
  seed?: number;
  /** BatchNorm eps (default 1e-5, MedicalNet). */
  bnEps?: number;
  /** BatchNorm momentum (default 0.1, MedicalNet). */
  bnMomentum?: number;
}

type HeadFactory = (spec: HeadSpec, inChannels: number, seeds: SeedSequence, eps: number, momentum: number) => Head | null;

/** Head builders by kind: adding a head registers one entry, nothing else changes. */
const HEADS: Record<HeadSpec['kind'], HeadFactory> = {
  'medicalnet-seg': (h, c, s, e, m) => (h.kind === 'medicalnet-seg' ? new MedicalNetSegHead(c, h.hidden, h.classes, s, e, m) : null),
  'lung-decoder': (h, c, s, e, m) => (h.kind === 'lung-decoder' ? new LungDecoderHead(c, h.channels, h.classes, s, e, m) : null),
  classifier: (h, c, s) => (h.kind === 'classifier' ? new ClassifierHead(c, h.classes, s) : null),
  'liver-coarse': (h, c, s) => (h.kind === 'liver-coarse' ? new UpsampledConvHead(c, h.classes, s) : null),
  'dense-aspp': (h, c, s, e, m) => (h.kind === 'dense-aspp' ? new DenseAsppHead(c, h.growth, h.rates, h.classes, s, e, m) : null),
  'liver-two-stage': (h, c, s, e, m) => (h.kind === 'liver-two-stage' ? new LiverTwoStageHead(c, h.classes, h.growth, h.rates, s, e, m) : null),
  'multi-domain': (h, c, s) => (h.kind === 'multi-domain' ? new MultiDomainHead(c, h.classesPerDomain, s) : null),
  none: () => null,
};

/** Build a Med3D model (random weights; load a state dict to use released weights). */
export function buildModel(spec: ModelSpec, opts: BuildOptions = {}): Med3dModel {
  const seeds = new SeedSequence(opts.seed ?? 0);
  const eps = opts.bnEps ?? 1e-5;
  const momentum = opts.bnMomentum ?? 0.1;
  const b = spec.backbone;
  if (!Number.isInteger(b.baseWidth) || b.baseWidth < 1) throw new Error(`invalid base width ${b.baseWidth}`);
  if (!Number.isInteger(b.inChannels) || b.inChannels < 1) throw new Error(`invalid input channels ${b.inChannels}`);
  validateHead(spec.head);
  const encoder = new ResNet3dEncoder(b, seeds, eps, momentum);
  const factory = HEADS[spec.head.kind];
  if (!factory) throw new Error(`unknown head kind '${String(spec.head.kind)}'`);
  const head = factory(spec.head, encoder.outChannels, seeds, eps, momentum);
  return new Med3dModel(spec, encoder, head);
}

function validateHead(h: HeadSpec): void {
  const pos = (v: unknown, what: string): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`head '${h.kind}': ${what} must be a positive integer, got ${String(v)}`);
  };
  switch (h.kind) {
    case 'medicalnet-seg':
      pos(h.classes, 'classes');
      pos(h.hidden, 'hidden');
      break;
    case 'lung-decoder':
      pos(h.classes, 'classes');
      if (!Array.isArray(h.channels) || h.channels.length !== 3) throw new Error(`head 'lung-decoder': channels must list 3 group widths`);
      h.channels.forEach((c, i) => pos(c, `channels[${i}]`));
      break;
    case 'dense-aspp':
    case 'liver-two-stage':
      pos(h.classes, 'classes');
      pos(h.growth, 'growth');
      if (!Array.isArray(h.rates) || h.rates.length === 0) throw new Error(`head '${h.kind}': rates must list at least one dilation rate`);
      h.rates.forEach((r, i) => pos(r, `rates[${i}]`));
      break;
    case 'multi-domain':
      if (!Array.isArray(h.classesPerDomain) || h.classesPerDomain.length === 0) throw new Error(`head 'multi-domain': classesPerDomain must list at least one domain`);
      h.classesPerDomain.forEach((c, i) => pos(c, `classesPerDomain[${i}]`));
      break;
    case 'classifier':
    case 'liver-coarse':
      pos(h.classes, 'classes');
      break;
    case 'none':
      break;
  }
}
