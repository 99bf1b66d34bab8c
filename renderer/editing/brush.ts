import type { Axis, IntensityImage, LabelGrid } from './LabelGrid';
import { voxelIndex } from './LabelGrid';
import type { EditRecorder } from './EditRecorder';

export interface BrushOptions {
  /** Brush radius in mm (physical, so the brush looks the same on anisotropic grids). */
  radiusMm: number;
  /** 'sphere' paints a ball; 'circle' paints a disc in the slice normal to `axis`. */
  shape: 'sphere' | 'circle';
  /** Index axis normal to the viewed slice (used by 'circle'). */
  axis: Axis;
  /** Label value written; 0 erases (locked labels are kept by the recorder). */
  value: number;
  /** Threshold-limited brush: only voxels whose intensity lies in [min, max] are painted. */
  threshold?: { image: IntensityImage; min: number; max: number };
  /**
   * When erasing, clear only this label (Slicer's "erase selected segment"); undefined clears
   * any unlocked label.
   */
  eraseOnly?: number;
}

/**
 * Paints one brush dab centred at continuous voxel coordinates `c` (i, j, k). Voxel (i, j, k) is
 * inside when its centre lies within the radius, measured in mm.
 */
export function paintDab(rec: EditRecorder, c: [number, number, number], o: BrushOptions): void {
  const g: LabelGrid = rec.grid;
  const [nx, ny, nz] = g.dims;
  const [sx, sy, sz] = g.spacing;
  const r = Math.max(o.radiusMm, 0);
  const r2 = r * r;
  const flat = o.shape === 'circle';
  const lo = [0, 0, 0];
  const hi = [0, 0, 0];
  const sp = [sx, sy, sz];
  const dims = [nx, ny, nz];
  for (let a = 0; a < 3; a++) {
    if (flat && a === o.axis) {
      const s = Math.round(c[a]);
      lo[a] = s;
      hi[a] = s;
    } else {
      lo[a] = Math.ceil(c[a] - r / sp[a]);
      hi[a] = Math.floor(c[a] + r / sp[a]);
    }
    const centre = Math.round(c[a]);
    lo[a] = Math.max(Math.min(lo[a], centre), 0);
    hi[a] = Math.max(hi[a], centre);
    hi[a] = Math.min(hi[a], dims[a] - 1);
  }
  // The voxel under the cursor is always painted, so a brush smaller than a voxel still works.
  const ci = Math.round(c[0]);
  const cj = Math.round(c[1]);
  const ck = Math.round(c[2]);
  const th = o.threshold;
  for (let k = lo[2]; k <= hi[2]; k++) {
    const dk = flat && o.axis === 2 ? 0 : (k - c[2]) * sz;
    for (let j = lo[1]; j <= hi[1]; j++) {
      const dj = flat && o.axis === 1 ? 0 : (j - c[1]) * sy;
      for (let i = lo[0]; i <= hi[0]; i++) {
        const di = flat && o.axis === 0 ? 0 : (i - c[0]) * sx;
        const centre = i === ci && j === cj && k === ck;
        if (!centre && di * di + dj * dj + dk * dk > r2) continue;
        const idx = voxelIndex(g.dims, i, j, k);
        if (th) {
          const v = th.image.data[idx];
          if (!(v >= th.min && v <= th.max)) continue;
        }
        if (o.value === 0 && o.eraseOnly !== undefined && g.data[idx] !== o.eraseOnly) continue;
        rec.set(idx, o.value);
      }
    }
  }
}

/**
 * Paints a stroke segment from `a` to `b` (continuous voxel coordinates) with dabs no further
 * apart than a third of the radius (in voxels along the finest axis), so fast mouse moves leave
 * no gaps.
 */
export function paintStroke(rec: EditRecorder, a: [number, number, number], b: [number, number, number], o: BrushOptions): void {
  const sp = rec.grid.spacing;
  const lenMm = Math.hypot((b[0] - a[0]) * sp[0], (b[1] - a[1]) * sp[1], (b[2] - a[2]) * sp[2]);
  const minSp = Math.min(sp[0], sp[1], sp[2]);
  const step = Math.max(o.radiusMm / 3, minSp / 2);
  const n = Math.max(1, Math.ceil(lenMm / step));
  for (let s = 0; s <= n; s++) {
    const t = s / n;
    paintDab(rec, [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t], o);
  }
}
