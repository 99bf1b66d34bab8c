import type { Volume, VoxelArray } from '../Volume';
import { deriveMeta } from '../geometry/grid';
import { percentiles } from './percentile';
import { seededRandom } from '../../util/seededRandom';

function withData<V extends Volume>(vol: V, data: Float32Array, note?: string): V {
  return { ...vol, data, meta: deriveMeta(vol, note) };
}

/**
 * Med3D intensity clip: values below the `lo` / above the `hi` percentile (default 0.5 / 99.5, numpy
 * 'linear' percentiles over the whole volume or the `mask`) are set to those percentiles. Float32 out.
 */
export function percentileClip<V extends Volume>(vol: V, opts: { lo?: number; hi?: number; mask?: ArrayLike<number> } = {}): V {
  const [a, b] = percentiles(vol.data, [opts.lo ?? 0.5, opts.hi ?? 99.5], opts.mask);
  return withData(vol, clipArray(vol.data, a, b));
}

export function clipArray(data: VoxelArray, lo: number, hi: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}

export interface ZScoreOptions {
  /**
   * Statistics over voxels with value > 0 only (MedicalNet's `__itensity_normalize_one_volume__`);
   * default false = the whole volume, as the Med3D paper describes.
   */
  foreground?: boolean;
  /** Explicit mask (non-zero = included) for the statistics; overrides `foreground`. */
  mask?: ArrayLike<number>;
  /**
   * With foreground statistics, what background voxels (value ≤ 0 / outside the mask) become:
   * 'normalized' (same formula, default), 'zero', or 'noise' (N(0,1), MedicalNet's training behaviour; needs `seed`).
   */
  background?: 'normalized' | 'zero' | 'noise';
  seed?: number;
}

/** z-score per volume: (v − mean) / std in float64, Float32 out. A constant volume maps to 0. */
export function zScore<V extends Volume>(vol: V, opts: ZScoreOptions = {}): V {
  const d = vol.data;
  const sel = opts.mask ?? (opts.foreground ? Uint8Array.from(d, (v) => (v > 0 ? 1 : 0)) : undefined);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < d.length; i++)
    if (!sel || sel[i]) {
      sum += d[i];
      n++;
    }
  if (n === 0) return withData(vol, new Float32Array(d.length), 'z-score: empty foreground, volume set to 0');
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < d.length; i++)
    if (!sel || sel[i]) {
      const x = d[i] - mean;
      ss += x * x;
    }
  const std = Math.sqrt(ss / n);
  const inv = std > 0 ? 1 / std : 0;
  const out = new Float32Array(d.length);
  const bg = opts.background ?? 'normalized';
  const rng = bg === 'noise' ? seededRandom(opts.seed ?? 0) : null;
  for (let i = 0; i < d.length; i++) {
    if (sel && !sel[i] && bg !== 'normalized') out[i] = rng ? rng.normal() : 0;
    else out[i] = (d[i] - mean) * inv;
  }
  return withData(vol, out);
}

/** The liver CT window of the Med3D paper, in HU. */
export const LIVER_HU_WINDOW: readonly [number, number] = [-200, 250];

/**
 * Clip to a HU window [lo, hi]; with `rescale`, map it linearly to [0, 1]. Float32 out.
 */
export function huWindow<V extends Volume>(vol: V, window: readonly [number, number] = LIVER_HU_WINDOW, opts: { rescale?: boolean } = {}): V {
  const [lo, hi] = window;
  if (!(hi > lo)) throw new Error(`HU window [${lo}, ${hi}] is empty`);
  const out = clipArray(vol.data, lo, hi);
  if (opts.rescale) {
    const s = 1 / (hi - lo);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] - lo) * s;
  }
  return withData(vol, out);
}
