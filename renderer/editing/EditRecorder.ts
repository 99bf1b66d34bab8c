import type { LabelGrid, LockTable } from './LabelGrid';
import { isLocked } from './LabelGrid';
import { RegionTracker, type VoxelRegion } from './VoxelRegion';

/**
 * A sparse change set: the voxels one edit touched, with their values before and after.
 * Indices are sorted ascending, so applying a diff walks memory forward.
 */
export interface LabelDiff {
  indices: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
}

/**
 * Records the first previous value of every voxel an edit writes, so the edit can be stored as a
 * sparse diff (undo costs memory proportional to the voxels changed, not to the volume).
 */
export class EditRecorder {
  private readonly original = new Map<number, number>();
  private readonly dirty: RegionTracker;

  constructor(
    readonly grid: LabelGrid,
    private readonly locked?: LockTable,
  ) {
    this.dirty = new RegionTracker(grid.dims);
  }

  /** Writes `value` at voxel `index` unless the voxel holds a locked label. Returns whether it wrote. */
  set(index: number, value: number): boolean {
    const data = this.grid.data;
    const cur = data[index];
    if (cur === value) return false;
    if (isLocked(this.locked, cur)) return false;
    if (!this.original.has(index)) this.original.set(index, cur);
    data[index] = value;
    this.dirty.add(index);
    return true;
  }

  /**
   * The box written since the previous call (cheap to keep while a stroke is being drawn), so
   * the viewer re-renders only the views that show it while the mouse moves.
   */
  takeDirtyRegion(): VoxelRegion | null {
    return this.dirty.take();
  }

  get changedCount(): number {
    return this.original.size;
  }

  /** The diff of everything written so far (voxels written back to their old value are dropped). */
  finish(): LabelDiff {
    const entries: Array<[number, number]> = [];
    for (const [idx, before] of this.original) if (this.grid.data[idx] !== before) entries.push([idx, before]);
    entries.sort((a, b) => a[0] - b[0]);
    const indices = new Uint32Array(entries.length);
    const before = new Uint8Array(entries.length);
    const after = new Uint8Array(entries.length);
    for (let n = 0; n < entries.length; n++) {
      indices[n] = entries[n][0];
      before[n] = entries[n][1];
      after[n] = this.grid.data[entries[n][0]];
    }
    return { indices, before, after };
  }
}

/** Writes one side of a diff into `data` ('before' undoes, 'after' redoes). */
export function applyDiff(data: Uint8Array, diff: LabelDiff, side: 'before' | 'after'): void {
  const values = side === 'before' ? diff.before : diff.after;
  const idx = diff.indices;
  for (let n = 0; n < idx.length; n++) data[idx[n]] = values[n];
}
