import * as tf from '@tensorflow/tfjs-core';
import { constant, Var, withGrad } from '../nn/autograd/Var';
import type { Triple } from '../nn/kernels/KernelProvider';
import { Module, type StateEntry } from '../nn/layers/Module';
import { stage } from '../nn/layers/scoped';
import type { Param } from '../nn/layers/Param';
import type { StateDict } from '../nn/StateDict';
import type { ModelSpec } from './ModelSpec';
import type { Head } from './heads/Head';
import type { ResNet3dEncoder } from './resnet/ResNet3d';

export interface ForwardOptions {
  /** PyTorch train(): batch-statistics BN with running-stat updates. */
  training: boolean;
  /** Multi-domain models: the dataset whose branch runs. */
  domain?: number;
}

export interface ModelOutput {
  /** Head output: NDHWC logits, [N, classes] for the classifier, null for encoder-only models. */
  logits: Var | null;
  /** layer4 output (NDHWC, after its last ReLU). */
  features: Var;
}

export interface LoadResult {
  /** Model keys the state dict did not provide (non-strict loads only). */
  missing: string[];
  /** State-dict keys the model has no place for (non-strict loads only). */
  unexpected: string[];
}

/**
 * A Med3D network: MedicalNet 3D-ResNet encoder + one task head, as a PyTorch-style module tree
 * whose state-dict keys are MedicalNet's. Activations are NDHWC tfjs tensors.
 *
 *   const model = buildModel(spec);
 *   model.loadStateDict((await readPth('resnet_10.pth')).stateDict);
 *   const { logits } = model.predict(x);   // eval mode, no graph
 *
 * Training: `forward(x, { training: true })` inside `withGrad(true, ...)` records the graph
 * (see train/computeGradients).
 */
export class Med3dModel extends Module {
  constructor(
    readonly spec: ModelSpec,
    readonly encoder: ResNet3dEncoder,
    readonly head: Head | null,
  ) {
    super();
    encoder.attach((name, m) => this.registerModule(name, m));
    for (const [name, m] of head?.modules ?? []) this.registerModule(name, m);
  }

  /**
   * Run the network. `x` is NDHWC [N, D, H, W, inChannels] (a tensor is treated as a constant
   * input and never disposed). The graph is recorded only inside withGrad(true, ...).
   */
  forward(x: tf.Tensor5D | Var, opts: ForwardOptions): ModelOutput {
    const input = x instanceof Var ? x : constant(x);
    const shape = input.shape;
    if (shape.length !== 5 || shape[4] !== this.spec.backbone.inChannels) {
      throw new Error(`model input must be NDHWC [N, D, H, W, ${this.spec.backbone.inChannels}], got [${shape.join(', ')}]`);
    }
    const ctx = { training: opts.training, inputSize: shape.slice(1, 4) as Triple, domain: opts.domain };
    const features = this.encoder.forward(input, ctx);
    const head = this.head;
    const logits = head ? stage(() => head.forward(features, ctx)) : null;
    return { logits, features };
  }

  /** Eval-mode forward without a graph; returns tensors the caller owns. */
  predict(x: tf.Tensor5D, opts: { domain?: number } = {}): { logits: tf.Tensor | null; features: tf.Tensor5D } {
    return withGrad(false, () => {
      const out = this.forward(x, { training: false, domain: opts.domain });
      return { logits: out.logits?.value ?? null, features: out.features.value as tf.Tensor5D };
    });
  }

  parameters(): [string, Param][] {
    return this.namedParameters();
  }

  /** Parameters of the encoder (conv1, bn1, layer1..4) vs the head, for LR groups and freezing. */
  encoderParameters(): [string, Param][] {
    return this.parameters().filter(([n]) => isEncoderKey(n));
  }

  headParameters(): [string, Param][] {
    return this.parameters().filter(([n]) => !isEncoderKey(n));
  }

  /** Freeze (or unfreeze) the encoder's parameters: they get no gradient. */
  freezeEncoder(frozen = true): void {
    for (const [, p] of this.encoderParameters()) p.setFrozen(frozen);
  }

  /** PyTorch-layout state dict, keys and order as MedicalNet's model.state_dict(). */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    for (const [k, e] of this.stateEntries()) sd.set(k, e.get());
    return sd;
  }

  /**
   * Load a PyTorch-layout state dict ('module.' already stripped). Strict by default: every
   * model key must be present with its exact shape and no extra key may remain; the error names
   * the keys and shapes. `strict: false` loads what matches by name (e.g. a pretrained encoder
   * under a new head) and reports the rest; a shape mismatch is always an error.
   */
  loadStateDict(sd: StateDict, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const entries = new Map<string, StateEntry>(this.stateEntries());
    const missing = [...entries.keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !entries.has(k));
    const mismatched: string[] = [];
    for (const [k, e] of entries) {
      const t = sd.get(k);
      if (t && t.shape.join(',') !== e.shape.join(',')) mismatched.push(`${k}: checkpoint [${t.shape.join(',')}] vs model [${e.shape.join(',')}]`);
    }
    const problems: string[] = [];
    if (mismatched.length) problems.push(`shape mismatch: ${listSome(mismatched)}`);
    if (strict && missing.length) problems.push(`missing keys: ${listSome(missing)}`);
    if (strict && unexpected.length) problems.push(`unexpected keys: ${listSome(unexpected)}`);
    if (problems.length) throw new Error(`state dict does not fit ${describeSpec(this.spec)}: ${problems.join('; ')}`);
    for (const [k, e] of entries) {
      const t = sd.get(k);
      if (t) e.set(t, k);
    }
    return { missing, unexpected };
  }
}

export function isEncoderKey(name: string): boolean {
  return /^(conv1|bn1|layer[1-4])\./.test(name);
}

function listSome(items: string[], n = 6): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} … (${items.length} in all)`;
}

export function describeSpec(spec: ModelSpec): string {
  const b = spec.backbone;
  return `${b.preActivation ? 'pre-activation ' : ''}ResNet-${b.depth} (shortcut ${b.shortcut}, width ${b.baseWidth}, head ${spec.head.kind})`;
}
