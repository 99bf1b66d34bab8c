import type { Vec3, Volume } from '../Volume';
import { gridOf, type Grid } from '../geometry/grid';
import { foregroundCrop } from './foregroundCrop';
import { huWindow, percentileClip, zScore } from './intensity';
import { resampleToSpacing, resizeTo } from './spacing';

export interface Med3dPreprocessOptions {
  /** Target voxel size in mm (the domain's median spacing); omitted = keep. */
  spacing?: Vec3;
  /** CT window in HU applied before normalisation (liver: [-200, 250]); omitted = none. */
  huWindow?: readonly [number, number];
  /** Percentile clip [lo, hi] (default [0.5, 99.5]); null = off. */
  clip?: readonly [number, number] | null;
  /** z-score over the whole volume (default) or the foreground (> 0 after clipping/windowing). */
  zScore?: 'volume' | 'foreground' | 'off';
  /** MedicalNet foreground crop before resizing (default false). */
  cropForeground?: boolean;
  /** Model input dims [i, j, k]; omitted = no resize. */
  inputDims?: Vec3;
}

export interface Med3dPreprocessed {
  /** Model input (Float32), with the affine of the model grid. */
  input: Volume;
  /** Grid of the source scan: `mapToSource(output, sourceGrid)` brings predictions back. */
  sourceGrid: Grid;
  /** Human-readable list of what was done, for provenance. */
  steps: string[];
}

/**
 * The Med3D (MedicalNet) preprocessing chain as one call: resample to spacing → HU window →
 * percentile clip → z-score → foreground crop → resize to the model input. Each step is a pure function
 * in this folder; the geometry is tracked in the affine so outputs map back exactly.
 */
export function med3dPreprocess(vol: Volume, opts: Med3dPreprocessOptions = {}): Med3dPreprocessed {
  const steps: string[] = [];
  let v: Volume = vol;
  if (opts.spacing) {
    v = resampleToSpacing(v, opts.spacing, 'linear');
    steps.push(`resample to spacing ${opts.spacing.join('x')} mm (trilinear) → ${v.dims.join('x')}`);
  }
  if (opts.huWindow) {
    v = huWindow(v, opts.huWindow);
    steps.push(`HU window [${opts.huWindow.join(', ')}]`);
  }
  const clip = opts.clip === undefined ? ([0.5, 99.5] as const) : opts.clip;
  if (clip) {
    v = percentileClip(v, { lo: clip[0], hi: clip[1] });
    steps.push(`clip to percentiles ${clip[0]}–${clip[1]}`);
  }
  const z = opts.zScore ?? 'volume';
  if (z !== 'off') {
    v = zScore(v, { foreground: z === 'foreground' });
    steps.push(`z-score over ${z}`);
  }
  if (opts.cropForeground) {
    const { volume, box } = foregroundCrop(v);
    v = volume;
    steps.push(`foreground crop start ${box.start.join(',')} size ${box.size.join('x')}`);
  }
  if (opts.inputDims) {
    v = resizeTo(v, opts.inputDims, 'linear');
    steps.push(`resize to ${opts.inputDims.join('x')} (trilinear)`);
  }
  if (!(v.data instanceof Float32Array)) v = { ...v, data: Float32Array.from(v.data) };
  return { input: v, sourceGrid: gridOf(vol), steps };
}
