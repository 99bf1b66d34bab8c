import type { Vec3 } from '../../volume/Volume';
import type { SeededRandom } from '../../util/seededRandom';

/**
 * A preprocessed labelled case on the model grid and the patch sampler every segmentation
 * training uses: foreground-biased centres (each present class equally likely, so small organs
 * are seen as often as large ones), random flips, small rotations about k and scaling, and
 * intensity jitter. Pure functions of the sample and the seeded generator.
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
  /** Voxel indices per foreground class (built lazily by `foregroundIndex`). */
  fg?: Int32Array[];
}

export interface AugmentOptions {
  /** Flip each axis with probability 0.5 (default true). */
  flips?: boolean;
  /** Largest rotation about the k axis, degrees (default 15). */
  rotateDeg?: number;
  /** Scaling range ±, e.g. 0.1 = 0.9–1.1 (default 0.1). */
  scale?: number;
  /** Intensity x·a + b with a in 1±jitter, b in ±jitter (default 0.1). */
  intensityJitter?: number;
}

export interface PatchOptions {
  /** Patch size (i, j, k), multiples of 8. */
  patch: Vec3;
  /** Probability of centring the patch on a foreground voxel (default 0.67). */
  foregroundBias?: number;
  /** Augmentation; null = none. */
  augment?: AugmentOptions | null;
}

function foregroundIndex(s: SegSample): Int32Array[] {
  if (s.fg) return s.fg;
  let max = 0;
  for (let q = 0; q < s.labels.length; q++) if (s.labels[q] > max) max = s.labels[q];
  const counts = new Int32Array(max + 1);
  for (let q = 0; q < s.labels.length; q++) counts[s.labels[q]]++;
  const lists = Array.from({ length: max + 1 }, (_, c) => new Int32Array(c === 0 ? 0 : counts[c]));
  const fill = new Int32Array(max + 1);
  for (let q = 0; q < s.labels.length; q++) {
    const c = s.labels[q];
    if (c) lists[c][fill[c]++] = q;
  }
  s.fg = lists.filter((l, c) => c > 0 && l.length > 0);
  return s.fg;
}

/** Patch centre (continuous voxel coordinates): on a random voxel of a random present class, or anywhere. */
function pickCentre(s: SegSample, o: PatchOptions, rng: SeededRandom): Vec3 {
  const [nx, ny, nz] = s.dims;
  const fg = foregroundIndex(s);
  if (fg.length && rng.next() < (o.foregroundBias ?? 0.67)) {
    const list = fg[rng.int(0, fg.length - 1)];
    const q = list[rng.int(0, list.length - 1)];
    const i = q % nx;
    const j = ((q - i) / nx) % ny;
    const k = (q - i - j * nx) / (nx * ny);
    // Jitter so the structure is not always at the patch centre.
    return [i + rng.uniform(-0.25, 0.25) * o.patch[0], j + rng.uniform(-0.25, 0.25) * o.patch[1], k + rng.uniform(-0.25, 0.25) * o.patch[2]];
  }
  return [rng.uniform(0, nx - 1), rng.uniform(0, ny - 1), rng.uniform(0, nz - 1)];
}

/**
 * One training patch. Output voxel d (relative to the patch centre) reads the sample at
 * centre + R·s·flip(d): trilinear for the image, nearest for labels, edge-clamped outside.
 */
export function samplePatch(s: SegSample, o: PatchOptions, rng: SeededRandom): { input: Float32Array; labels: Int32Array } {
  const [nx, ny, nz] = s.dims;
  const [px, py, pz] = o.patch;
  const c = pickCentre(s, o, rng);
  // Keep the patch inside the volume where it fits, so patches rarely show replicated edges.
  for (let a = 0; a < 3; a++) {
    const half = (o.patch[a] - 1) / 2;
    if (s.dims[a] >= o.patch[a]) c[a] = Math.min(s.dims[a] - 1 - half, Math.max(half, c[a]));
  }
  const a = o.augment;
  const flip = a && a.flips !== false ? [rng.next() < 0.5 ? -1 : 1, rng.next() < 0.5 ? -1 : 1, rng.next() < 0.5 ? -1 : 1] : [1, 1, 1];
  const ang = a ? (rng.uniform(-1, 1) * (a.rotateDeg ?? 15) * Math.PI) / 180 : 0;
  const sc = a ? 1 + rng.uniform(-1, 1) * (a.scale ?? 0.1) : 1;
  const jit = a ? (a.intensityJitter ?? 0.1) : 0;
  const gain = 1 + rng.uniform(-jit, jit);
  const bias = rng.uniform(-jit, jit);
  const cs = Math.cos(ang) * sc;
  const sn = Math.sin(ang) * sc;
  const input = new Float32Array(px * py * pz);
  const labels = new Int32Array(px * py * pz);
  const clamp = (v: number, n: number): number => (v < 0 ? 0 : v > n - 1 ? n - 1 : v);
  const src = s.input;
  let w = 0;
  for (let k = 0; k < pz; k++) {
    const dk = (k - (pz - 1) / 2) * flip[2] * sc;
    const z = clamp(c[2] + dk, nz);
    const z0 = Math.floor(z);
    const z1 = Math.min(nz - 1, z0 + 1);
    const fz = z - z0;
    for (let j = 0; j < py; j++) {
      const dj = (j - (py - 1) / 2) * flip[1];
      for (let i = 0; i < px; i++) {
        const di = (i - (px - 1) / 2) * flip[0];
        const x = clamp(c[0] + cs * di - sn * dj, nx);
        const y = clamp(c[1] + sn * di + cs * dj, ny);
        const x0 = Math.floor(x);
        const y0 = Math.floor(y);
        const x1 = Math.min(nx - 1, x0 + 1);
        const y1 = Math.min(ny - 1, y0 + 1);
        const fx = x - x0;
        const fy = y - y0;
        const r00 = nx * (y0 + ny * z0);
        const r10 = nx * (y1 + ny * z0);
        const r01 = nx * (y0 + ny * z1);
        const r11 = nx * (y1 + ny * z1);
        const v0 = (src[r00 + x0] * (1 - fx) + src[r00 + x1] * fx) * (1 - fy) + (src[r10 + x0] * (1 - fx) + src[r10 + x1] * fx) * fy;
        const v1 = (src[r01 + x0] * (1 - fx) + src[r01 + x1] * fx) * (1 - fy) + (src[r11 + x0] * (1 - fx) + src[r11 + x1] * fx) * fy;
        input[w] = (v0 * (1 - fz) + v1 * fz) * gain + bias;
        labels[w++] = s.labels[Math.round(x) + nx * (Math.round(y) + ny * Math.round(z))];
      }
    }
  }
  return { input, labels };
}
