import { SeedSequence } from '../nn/layers/init';
import type { HeadRegistry } from './heads/headRegistry';
import { Med3dModel } from './Med3dModel';
import type { ModelSpec } from './ModelSpec';
import { ResNet3dEncoder } from './resnet/ResNet3d';

export interface BuildOptions {
  /** Seed of the random initialisation (default 0): same seed, same weights. */
  seed?: number;
  /** BatchNorm eps (default 1e-5, MedicalNet). */
  bnEps?: number;
  /** BatchNorm momentum (default 0.1, MedicalNet). */
  bnMomentum?: number;
}

/**
 * Build a Med3D model (random weights; load a state dict to use released weights). The head is
 * built by its kind's entry in `heads` (createHeadRegistry()), which also checks its fields.
 */
export function buildModel(heads: HeadRegistry, spec: ModelSpec, opts: BuildOptions = {}): Med3dModel {
  const seeds = new SeedSequence(opts.seed ?? 0);
  const eps = opts.bnEps ?? 1e-5;
  const momentum = opts.bnMomentum ?? 0.1;
  const b = spec.backbone;
  if (!Number.isInteger(b.baseWidth) || b.baseWidth < 1) throw new Error(`invalid base width ${b.baseWidth}`);
  if (!Number.isInteger(b.inChannels) || b.inChannels < 1) throw new Error(`invalid input channels ${b.inChannels}`);
  const h = spec.head;
  if (h.kind !== 'none') heads.get(h.kind).validate(h);
  const encoder = new ResNet3dEncoder(b, seeds, eps, momentum);
  const head = h.kind === 'none' ? null : heads.get(h.kind).build(h, { inChannels: encoder.outChannels, seeds, eps, momentum });
  return new Med3dModel(spec, encoder, head);
}
