import * as tf from '@tensorflow/tfjs-core';
import type { Vec3, Volume } from '../../volume/Volume';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { constant, withGrad } from '../../engine/nn/autograd/Var';
import { resizeTrilinear } from '../../engine/nn/autograd/basicOps';

/**
 * Run a Med3D segmentation network over a preprocessed volume: voxels (i-fastest) map straight
 * onto NDHWC [1, k, j, i, 1] with no transposition. Volumes larger than `window` go through
 * overlapping sliding windows whose softmax probabilities are averaged (MONAI's
 * sliding_window_inference with constant weights). Inputs are edge-padded to a multiple of the
 * encoder's stride (8) and outputs cropped back, so any size works.
 */
export interface InferenceOptions {
  /** Window (i, j, k) in voxels; default: whole volume in one pass. */
  window?: Vec3;
  /** Fraction of overlap between neighbouring windows (default 0.25). */
  overlap?: number;
  signal?: AbortSignal;
}

export interface Probabilities {
  /** classes x voxels: probs[c * n + p]. */
  data: Float32Array;
  classes: number;
  dims: Vec3;
}

const STRIDE = 8;

/** Copy a sub-box (edge-clamped beyond the volume) of an i-fastest array. */
function extract(src: Float32Array, dims: Vec3, start: Vec3, size: Vec3): Float32Array {
  const out = new Float32Array(size[0] * size[1] * size[2]);
  const [nx, ny, nz] = dims;
  let o = 0;
  for (let k = 0; k < size[2]; k++) {
    const kk = Math.min(nz - 1, Math.max(0, start[2] + k));
    for (let j = 0; j < size[1]; j++) {
      const jj = Math.min(ny - 1, Math.max(0, start[1] + j));
      const row = nx * (jj + ny * kk);
      for (let i = 0; i < size[0]; i++) out[o++] = src[row + Math.min(nx - 1, Math.max(0, start[0] + i))];
    }
  }
  return out;
}

/** Softmax probabilities of one block [i, j, k] (padded to the stride inside). */
export function predictBlock(model: Med3dModel, block: Float32Array, size: Vec3): Probabilities {
  const padded = size.map((s) => Math.ceil(s / STRIDE) * STRIDE) as Vec3;
  const input = padded.every((p, a) => p === size[a]) ? block : extract(block, size, [0, 0, 0], padded);
  const probs = tf.tidy(() =>
    withGrad(false, () => {
      const x = tf.tensor5d(input, [1, padded[2], padded[1], padded[0], 1]);
      const out = model.forward(x, { training: false });
      if (!out.logits) throw new Error('the model has no segmentation head');
      let logits = out.logits;
      if (logits.shape.length !== 5) throw new Error(`expected NDHWC segmentation logits, got shape [${logits.shape.join(',')}]`);
      const sp = logits.shape.slice(1, 4);
      if (sp[0] !== padded[2] || sp[1] !== padded[1] || sp[2] !== padded[0]) logits = resizeTrilinear(constant(logits.value), [padded[2], padded[1], padded[0]]);
      let p = tf.softmax(logits.value);
      if (!padded.every((q, a) => q === size[a])) p = tf.slice(p, [0, 0, 0, 0, 0], [1, size[2], size[1], size[0], -1]);
      // NDHWC → C, D, H, W so each class is one contiguous i-fastest volume.
      return tf.transpose(tf.squeeze(p, [0]), [3, 0, 1, 2]);
    }),
  );
  const classes = probs.shape[0];
  const data = probs.dataSync() as Float32Array;
  probs.dispose();
  return { data: new Float32Array(data), classes, dims: size };
}

function windowStarts(n: number, w: number, overlap: number): number[] {
  if (n <= w) return [0];
  const step = Math.max(1, Math.floor(w * (1 - overlap)));
  const starts: number[] = [];
  for (let s = 0; s + w < n; s += step) starts.push(s);
  starts.push(n - w);
  return starts;
}

export function predictProbabilities(model: Med3dModel, input: Volume, opts: InferenceOptions = {}): Probabilities {
  const data = input.data instanceof Float32Array ? input.data : Float32Array.from(input.data);
  const dims = input.dims;
  const window = opts.window ? ([0, 1, 2].map((a) => Math.min(opts.window![a], dims[a])) as Vec3) : dims;
  if (window.every((w, a) => w === dims[a])) return predictBlock(model, data, dims);
  const overlap = opts.overlap ?? 0.25;
  const n = dims[0] * dims[1] * dims[2];
  let acc: Float32Array | null = null;
  let classes = 0;
  const counts = new Float32Array(n);
  const [nx, ny] = dims;
  for (const k0 of windowStarts(dims[2], window[2], overlap))
    for (const j0 of windowStarts(dims[1], window[1], overlap))
      for (const i0 of windowStarts(dims[0], window[0], overlap)) {
        if (opts.signal?.aborted) throw new Error('cancelled');
        const block = extract(data, dims, [i0, j0, k0], window);
        const p = predictBlock(model, block, window);
        if (!acc) {
          classes = p.classes;
          acc = new Float32Array(classes * n);
        }
        const wn = window[0] * window[1] * window[2];
        for (let k = 0; k < window[2]; k++)
          for (let j = 0; j < window[1]; j++)
            for (let i = 0; i < window[0]; i++) {
              const src = i + window[0] * (j + window[1] * k);
              const dst = i0 + i + nx * (j0 + j + ny * (k0 + k));
              counts[dst]++;
              for (let c = 0; c < classes; c++) acc[c * n + dst] += p.data[c * wn + src];
            }
      }
  const out = acc!;
  for (let c = 0; c < classes; c++) for (let q = 0; q < n; q++) out[c * n + q] /= counts[q] || 1;
  return { data: out, classes, dims };
}

/** Most probable class per voxel. */
export function argmaxLabels(p: Probabilities): Uint8Array {
  const n = p.dims[0] * p.dims[1] * p.dims[2];
  const out = new Uint8Array(n);
  for (let q = 0; q < n; q++) {
    let best = 0;
    let bv = p.data[q];
    for (let c = 1; c < p.classes; c++) {
      const v = p.data[c * n + q];
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    out[q] = best;
  }
  return out;
}

/** Mean voxel entropy (nats) of the probabilities: the active-learning uncertainty score. */
export function meanEntropy(p: Probabilities): number {
  const n = p.dims[0] * p.dims[1] * p.dims[2];
  let s = 0;
  for (let q = 0; q < n; q++) {
    let h = 0;
    for (let c = 0; c < p.classes; c++) {
      const v = p.data[c * n + q];
      if (v > 1e-12) h -= v * Math.log(v);
    }
    s += h;
  }
  return n ? s / n : 0;
}
