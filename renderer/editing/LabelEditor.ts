import type { Axis, IntensityImage, LabelGrid } from './LabelGrid';
import { EditRecorder, type LabelDiff } from './EditRecorder';
import { UndoStack } from './UndoStack';
import type { VoxelRegion } from './VoxelRegion';
import { paintStroke, type BrushOptions } from './brush';
import { floodFill } from './floodFill';
import { keepLargestIsland, removeSmallIslands } from './islands';
import { fillBetweenSlices } from './interpolateSlices';

export type V3 = [number, number, number];

export interface BrushSettings {
  radiusMm: number;
  shape: 'sphere' | 'circle';
  /** Threshold-limited painting: only voxels with intensity in [min, max]. */
  threshold: { enabled: boolean; min: number; max: number };
}

/**
 * The editing state of one label map: active label, locks, brush settings and the undo history.
 * Tools run the pure functions of this folder through an EditRecorder and every finished edit
 * becomes one undo step. The caller (the viewer) re-renders the slices each returned diff touches.
 */
export class LabelEditor {
  readonly undo = new UndoStack(100);
  activeLabel = 1;
  /** locked[v] true: label v is never overwritten or erased. */
  readonly locked: boolean[] = new Array(256).fill(false);
  brush: BrushSettings = { radiusMm: 5, shape: 'circle', threshold: { enabled: false, min: -100, max: 300 } };
  /** Incremented on every change; the UI compares it with the saved revision for "unsaved". */
  revision = 0;

  private stroke: { rec: EditRecorder; last: V3; axis: Axis; erase: boolean } | null = null;

  constructor(
    readonly grid: LabelGrid,
    private readonly image?: IntensityImage,
  ) {}

  private brushOptions(axis: Axis, erase: boolean): BrushOptions {
    const th = this.brush.threshold;
    return {
      radiusMm: this.brush.radiusMm,
      shape: this.brush.shape,
      axis,
      value: erase ? 0 : this.activeLabel,
      threshold: !erase && th.enabled && this.image ? { image: this.image, min: th.min, max: th.max } : undefined,
    };
  }

  /**
   * Starts a brush (or eraser) stroke at continuous voxel coordinates. Returns the box of voxels
   * changed (null: none), for re-rendering while the stroke goes on.
   */
  beginStroke(at: V3, axis: Axis, erase = false): VoxelRegion | null {
    this.cancelStroke();
    const rec = new EditRecorder(this.grid, this.locked);
    this.stroke = { rec, last: at, axis, erase };
    paintStroke(rec, at, at, this.brushOptions(axis, erase));
    return rec.takeDirtyRegion();
  }

  /** Extends the stroke to `at`. Returns the box of voxels this segment changed (null: none). */
  continueStroke(at: V3): VoxelRegion | null {
    const s = this.stroke;
    if (!s) return null;
    paintStroke(s.rec, s.last, at, this.brushOptions(s.axis, s.erase));
    s.last = at;
    return s.rec.takeDirtyRegion();
  }

  /** Ends the stroke and records it as one undo step. */
  endStroke(): LabelDiff | null {
    const s = this.stroke;
    if (!s) return null;
    this.stroke = null;
    return this.commit(s.rec);
  }

  get stroking(): boolean {
    return this.stroke !== null;
  }

  cancelStroke(): void {
    if (this.stroke) this.commit(this.stroke.rec);
    this.stroke = null;
  }

  /** Flood fill from a voxel; with the threshold enabled the region is the connected HU range. */
  fill(seed: V3, axis: Axis | undefined): LabelDiff {
    return this.run((rec) => {
      const th = this.brush.threshold;
      floodFill(rec, seed, {
        value: this.activeLabel,
        axis,
        range: th.enabled && this.image ? { image: this.image, min: th.min, max: th.max } : undefined,
        maxVoxels: 50_000_000,
      });
    });
  }

  removeSmallIslands(minVoxels: number): LabelDiff {
    return this.run((rec) => removeSmallIslands(rec, this.activeLabel, minVoxels));
  }

  keepLargestIsland(): LabelDiff {
    return this.run((rec) => keepLargestIsland(rec, this.activeLabel));
  }

  fillBetweenSlices(axis: Axis): LabelDiff {
    return this.run((rec) => fillBetweenSlices(rec, this.activeLabel, axis));
  }

  /** Clears every voxel of the active label (one undo step). */
  clearActive(): LabelDiff {
    return this.run((rec) => {
      const d = this.grid.data;
      for (let n = 0; n < d.length; n++) if (d[n] === this.activeLabel) rec.set(n, 0);
    });
  }

  /** Replaces the whole map (e.g. a loaded label version) as one undoable step. */
  replaceAll(next: Uint8Array): LabelDiff {
    if (next.length !== this.grid.data.length) throw new Error(`label map has ${next.length} voxels, the scan has ${this.grid.data.length}`);
    const rec = new EditRecorder(this.grid);
    for (let n = 0; n < next.length; n++) if (this.grid.data[n] !== next[n]) rec.set(n, next[n]);
    return this.commit(rec);
  }

  undoStep(): LabelDiff | null {
    this.cancelStroke();
    const d = this.undo.undo(this.grid.data);
    if (d) this.revision++;
    return d;
  }

  redoStep(): LabelDiff | null {
    this.cancelStroke();
    const d = this.undo.redo(this.grid.data);
    if (d) this.revision++;
    return d;
  }

  private run(fn: (rec: EditRecorder) => void): LabelDiff {
    this.cancelStroke();
    const rec = new EditRecorder(this.grid, this.locked);
    fn(rec);
    return this.commit(rec);
  }

  private commit(rec: EditRecorder): LabelDiff {
    const d = rec.finish();
    if (d.indices.length > 0) {
      this.undo.push(d);
      this.revision++;
    }
    return d;
  }
}
