import * as tf from '@tensorflow/tfjs-core';
import type { Vec3 } from '../../volume/Volume';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { computeGradients } from '../../engine/train/computeGradients';
import { diceCrossEntropy } from '../../engine/train/losses';
import { getKernels } from '../../engine/nn/kernels/registry';
import type { Param } from '../../engine/nn/layers/Param';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';

/**
 * Patch-based training of a segmentation model on preprocessed cases (model grid), the loop the
 * fine-tuning job and the transfer experiment share: foreground-biased random patches,
 * Dice + cross-entropy, Adam (torch.optim.Adam through the active KernelProvider).
 * TODO(T): switch to engine N's train/ optimizer + trainLoop once they land; this adapter keeps
 * only what the tasks need (no schedules, no grad accumulation).
 */
export interface SegSample {
  id: string;
  /** Preprocessed image on the model grid, i-fastest. */
  input: Float32Array;
  /** Class index per voxel (0 = background). */
  labels: Uint8Array;
  dims: Vec3;
  /** Multi-domain pretraining: the branch (dataset) this case trains. */
  domain?: number;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** Adam state over a model's trainable parameters. */
export class AdamTrainer {
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
  step = 0;
  constructor(
    private readonly params: [string, Param][],
    readonly opts: AdamOptions,
  ) {}

  apply(grads: Map<string, tf.Tensor>): void {
    this.step++;
    const k = getKernels();
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g || p.frozen) continue;
      const m = this.m.get(name) ?? tf.keep(tf.zerosLike(p.value));
      const v = this.v.get(name) ?? tf.keep(tf.zerosLike(p.value));
      const r = k.adamUpdate(p.value, g, m, v, {
        lr: this.opts.lr,
        beta1: this.opts.beta1 ?? 0.9,
        beta2: this.opts.beta2 ?? 0.999,
        eps: this.opts.eps ?? 1e-8,
        step: this.step,
        weightDecay: this.opts.weightDecay ?? 0,
      });
      p.assign(r.param);
      m.dispose();
      v.dispose();
      this.m.set(name, tf.keep(r.m));
      this.v.set(name, tf.keep(r.v));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

export interface PatchOptions {
  /** Patch size (i, j, k), multiples of 8. */
  patch: Vec3;
  /** Probability of centring the patch on a foreground voxel. Default 0.67. */
  foregroundBias?: number;
}

/** Random patch of a sample (edge-clamped), foreground-biased, deterministic under `rng`. */
export function samplePatch(s: SegSample, o: PatchOptions, rng: SeededRandom): { input: Float32Array; labels: Int32Array } {
  const [nx, ny, nz] = s.dims;
  const [px, py, pz] = o.patch;
  let centre: Vec3 | null = null;
  if (rng.next() < (o.foregroundBias ?? 0.67)) {
    for (let t = 0; t < 30 && !centre; t++) {
      const q = rng.int(0, s.labels.length - 1);
      if (s.labels[q]) {
        const i = q % nx;
        const j = ((q - i) / nx) % ny;
        centre = [i, j, (q - i - j * nx) / (nx * ny)];
      }
    }
  }
  const start: Vec3 = centre
    ? [centre[0] - (px >> 1) + rng.int(-px >> 2, px >> 2), centre[1] - (py >> 1) + rng.int(-py >> 2, py >> 2), centre[2] - (pz >> 1) + rng.int(-pz >> 2, pz >> 2)]
    : [rng.int(0, Math.max(0, nx - px)), rng.int(0, Math.max(0, ny - py)), rng.int(0, Math.max(0, nz - pz))];
  for (let a = 0; a < 3; a++) start[a] = Math.max(0, Math.min(start[a], s.dims[a] - o.patch[a]));
  const input = new Float32Array(px * py * pz);
  const labels = new Int32Array(px * py * pz);
  let w = 0;
  for (let k = 0; k < pz; k++) {
    const kk = Math.min(nz - 1, Math.max(0, start[2] + k));
    for (let j = 0; j < py; j++) {
      const jj = Math.min(ny - 1, Math.max(0, start[1] + j));
      for (let i = 0; i < px; i++) {
        const ii = Math.min(nx - 1, Math.max(0, start[0] + i));
        const q = ii + nx * (jj + ny * kk);
        input[w] = s.input[q];
        labels[w++] = s.labels[q];
      }
    }
  }
  return { input, labels };
}

export interface TrainSegOptions extends PatchOptions {
  steps: number;
  /** Adam learning rate: the paper uses 1e-3 from pretrained weights, 1e-2 from scratch. */
  lr: number;
  seed?: number;
  /** Extra samples mixed in with probability `replayFraction` (earlier verified cases). */
  replay?: SegSample[];
  replayFraction?: number;
  /** Called after every step; return false to stop (early stopping, cancel). */
  onStep?: (step: number, loss: number) => boolean | void;
  signal?: AbortSignal;
  /** Optional per-sample transform (augmentation) applied to each drawn patch. */
  augment?: (p: { input: Float32Array; labels: Int32Array }, patch: Vec3, rng: SeededRandom) => { input: Float32Array; labels: Int32Array };
  /** Reuse an optimizer across calls (keeps Adam moments between evaluation rounds). */
  trainer?: AdamTrainer;
}

export function trainSegmentation(model: Med3dModel, samples: SegSample[], o: TrainSegOptions): { losses: number[]; trainer: AdamTrainer } {
  if (samples.length === 0) throw new Error('no training cases');
  const rng = seededRandom(o.seed ?? 1);
  const trainer = o.trainer ?? new AdamTrainer(model.parameters(), { lr: o.lr });
  const losses: number[] = [];
  const h = model.spec.head;
  const classes = h.kind === 'multi-domain' ? Math.min(...h.classesPerDomain) : h.kind === 'none' || h.kind === 'classifier' ? 0 : h.classes;
  if (classes < 2) throw new Error(`model head '${h.kind}' is not a segmentation head`);
  const [px, py, pz] = o.patch;
  for (let step = 0; step < o.steps; step++) {
    if (o.signal?.aborted) throw new Error('cancelled');
    const pool = o.replay && o.replay.length && rng.next() < (o.replayFraction ?? 0.3) ? o.replay : samples;
    const s = pool[rng.int(0, pool.length - 1)];
    let p = samplePatch(s, o, rng);
    if (o.augment) p = o.augment(p, o.patch, rng);
    const x = tf.tensor5d(p.input, [1, pz, py, px, 1]);
    const y = tf.tensor4d(p.labels, [1, pz, py, px], 'int32');
    const res = computeGradients(
      model,
      x,
      (out) => {
        if (!out.logits) throw new Error('model has no head');
        return diceCrossEntropy(out.logits, y);
      },
      { domain: s.domain },
    );
    x.dispose();
    y.dispose();
    trainer.apply(res.grads);
    for (const g of res.grads.values()) g.dispose();
    losses.push(res.loss);
    if (o.onStep?.(trainer.step, res.loss) === false) break;
  }
  return { losses, trainer };
}
