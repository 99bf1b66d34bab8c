import { connectedComponents, type Components } from '../../common/mask/connectedComponents';
import type { LabelGrid } from './LabelGrid';
import type { EditRecorder } from './EditRecorder';

function clearWhere(rec: EditRecorder, comps: Components, drop: (id: number) => boolean): number {
  let removed = 0;
  const ids = comps.labels;
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
