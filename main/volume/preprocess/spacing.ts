import type { Vec3, Volume } from '../Volume';
import { gridOf, type Grid } from '../geometry/grid';
import { gridWithDims, gridWithSpacing, resampleToGrid, type Interpolation } from '../geometry/resample';

/** Per-axis median of voxel spacings (numpy median: mean of the two middle values for even counts). */
export function medianSpacing(spacings: ReadonlyArray<Vec3>): Vec3 {
  if (spacings.length === 0) throw new Error('median spacing of no volumes');
  const med = (a: number): number => {
    const v = spacings.map((s) => s[a]).sort((x, y) => x - y);
    const m = v.length >> 1;
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  };
  return [med(0), med(1), med(2)];
}

/**
 * Resample to a voxel size (mm along i, j, k), keeping the field of view: trilinear for images,
 * 'label' or 'nearest' for masks. Med3D resamples each domain to its median spacing.
 */
export function resampleToSpacing<V extends Volume>(vol: V, spacing: Vec3, interpolation: Interpolation = 'linear'): V {
  return resampleToGrid(vol, gridWithSpacing(vol, spacing), { interpolation });
}

/**
 * Resize to the model input dims (same field of view; corners aligned), trilinear for images.
 * The result's affine says where each model voxel sits, so `mapToSource` can bring outputs back.
 */
export function resizeTo<V extends Volume>(vol: V, dims: Vec3, interpolation: Interpolation = 'linear'): V {
  return resampleToGrid(vol, gridWithDims(vol, dims), { interpolation });
}

/**
 * Inverse mapping for model outputs: whatever chain of resampling/cropping/resizing produced the model grid,
 * its affine records where it lies, so resampling back onto the source grid undoes it
 * (label vote for masks, trilinear for probabilities). Voxels outside the model's field of view get `fill`.
 */
export function mapToSource<V extends Volume>(output: V, source: Grid | Volume, opts: { interpolation?: Interpolation; fill?: number } = {}): V {
  const target = 'data' in source ? gridOf(source) : source;
  return resampleToGrid(output, target, { interpolation: opts.interpolation ?? 'label', fill: opts.fill ?? 0 });
}
