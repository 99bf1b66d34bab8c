import type { Axis, LabelGrid } from './LabelGrid';
import type { EditRecorder } from './EditRecorder';
import { signedDistance2d } from './distanceTransform';

/** Maps (u, v) in a slice normal to `axis` at position `s` to a voxel index. */
function sliceIndexer(g: LabelGrid, axis: Axis): { w: number; h: number; su: number; sv: number; count: number; at: (s: number, u: number, v: number) => number } {
  const [nx, ny, nz] = g.dims;
  const [sx, sy, sz] = g.spacing;
  if (axis === 2) return { w: nx, h: ny, su: sx, sv: sy, count: nz, at: (s, u, v) => u + nx * (v + ny * s) };
  if (axis === 1) return { w: nx, h: nz, su: sx, sv: sz, count: ny, at: (s, u, v) => u + nx * (s + ny * v) };
  return { w: ny, h: nz, su: sy, sv: sz, count: nx, at: (s, u, v) => s + nx * (u + ny * v) };
}

/**
 * Fill between slices (Slicer's "Fill between slices"): the user draws `value` on a few slices
 * normal to `axis`; every empty slice between two drawn slices gets the shape obtained by
 * linearly interpolating the two neighbours' signed distance maps (a morphological shape
 * interpolation that also morphs between different shapes). Only background voxels are filled,
 * so other labels are never overwritten. Returns the number of voxels filled.
 */
export function fillBetweenSlices(rec: EditRecorder, value: number, axis: Axis): number {
  const g = rec.grid;
  const ix = sliceIndexer(g, axis);
  const { w, h, count } = ix;
  const key: number[] = [];
  for (let s = 0; s < count; s++) {
    let has = false;
    for (let v = 0; v < h && !has; v++) for (let u = 0; u < w; u++) if (g.data[ix.at(s, u, v)] === value) { has = true; break; }
    if (has) key.push(s);
  }
  let filled = 0;
  const sdfOf = (s: number): Float64Array =>
    signedDistance2d((p) => g.data[ix.at(s, p % w, Math.floor(p / w))] === value, w, h, ix.su, ix.sv);
  for (let n = 0; n + 1 < key.length; n++) {
    const a = key[n];
    const b = key[n + 1];
    if (b - a < 2) continue;
    const da = sdfOf(a);
    const db = sdfOf(b);
    for (let s = a + 1; s < b; s++) {
      const t = (s - a) / (b - a);
      for (let p = 0; p < w * h; p++) {
        if ((1 - t) * da[p] + t * db[p] > 0) continue;
        const idx = ix.at(s, p % w, Math.floor(p / w));
        if (g.data[idx] !== 0) continue;
        if (rec.set(idx, value)) filled++;
      }
    }
  }
  return filled;
}
