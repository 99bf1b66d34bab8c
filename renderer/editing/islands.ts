import type { Dims3, LabelGrid } from './LabelGrid';
import type { EditRecorder } from './EditRecorder';

export interface Components {
  /** Component id per voxel (0 = not part of the label, ids start at 1). */
  ids: Int32Array;
  /** sizes[id] = voxel count of component id (sizes[0] unused). */
  sizes: number[];
}

/**
 * Connected components of the voxels where `data === value`, 6-connectivity (face neighbours,
 * as Slicer's "Islands" effect default) or 26 (face, edge and corner neighbours).
 */
export function connectedComponents(data: Uint8Array, dims: Dims3, value: number, connectivity: 6 | 26 = 6): Components {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const ids = new Int32Array(n);
  const sizes: number[] = [0];
  const offsets: Array<[number, number, number]> = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        const m = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
        if (m === 0) continue;
        if (connectivity === 6 && m !== 1) continue;
        offsets.push([di, dj, dk]);
      }
  let stack = new Int32Array(1024);
  for (let start = 0; start < n; start++) {
    if (data[start] !== value || ids[start] !== 0) continue;
    const id = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    ids[start] = id;
    while (top > 0) {
      const idx = stack[--top];
      size++;
      const i = idx % nx;
      const j = Math.floor(idx / nx) % ny;
      const k = Math.floor(idx / (nx * ny));
      for (const [di, dj, dk] of offsets) {
        const a = i + di;
        const b = j + dj;
        const c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const nIdx = a + nx * (b + ny * c);
        if (data[nIdx] !== value || ids[nIdx] !== 0) continue;
        ids[nIdx] = id;
        if (top === stack.length) {
          const bigger = new Int32Array(stack.length * 2);
          bigger.set(stack);
          stack = bigger;
        }
        stack[top++] = nIdx;
      }
    }
    sizes.push(size);
  }
  return { ids, sizes };
}

function clearWhere(rec: EditRecorder, comps: Components, drop: (id: number) => boolean): number {
  let removed = 0;
  const ids = comps.ids;
  for (let idx = 0; idx < ids.length; idx++) {
    const id = ids[idx];
    if (id !== 0 && drop(id) && rec.set(idx, 0)) removed++;
  }
  return removed;
}

/** Erases every island of `value` smaller than `minVoxels`. Returns voxels erased. */
export function removeSmallIslands(rec: EditRecorder, value: number, minVoxels: number, connectivity: 6 | 26 = 6): number {
  const g: LabelGrid = rec.grid;
  const comps = connectedComponents(g.data, g.dims, value, connectivity);
  return clearWhere(rec, comps, (id) => comps.sizes[id] < minVoxels);
}

/** Keeps only the largest island of `value` (first found on ties). Returns voxels erased. */
export function keepLargestIsland(rec: EditRecorder, value: number, connectivity: 6 | 26 = 6): number {
  const g: LabelGrid = rec.grid;
  const comps = connectedComponents(g.data, g.dims, value, connectivity);
  let best = 0;
  for (let id = 1; id < comps.sizes.length; id++) if (best === 0 || comps.sizes[id] > comps.sizes[best]) best = id;
  return clearWhere(rec, comps, (id) => id !== best);
}
