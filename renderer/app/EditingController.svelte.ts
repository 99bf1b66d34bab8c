import { untrack } from 'svelte';
import { applyLabelChange, labelStatistics, labelSums, type LabelStatistic, type LabelSums } from '../../common/volume/labelStatistics';
import type { LabelDiff } from '../editing/EditRecorder';
import { LabelEditor } from '../editing/LabelEditor';
import type { CursorInfo, EditPointerEvent } from '../viewer/MprViewer';
import type { Tool } from './commands';
import type { Notices } from './Notices.svelte';
import type { ViewController } from './ViewController.svelte';

export type OverlayStyle = { fill: boolean; outline: boolean; opacity: number };
type Diff = ReturnType<LabelEditor['keepLargestIsland']>;

const EDIT_TOOLS: ReadonlySet<Tool> = new Set(['brush', 'eraser', 'fill']);

/** Label editing: tools and their settings, pointer strokes, operations, undo/redo, running label statistics. */
export class EditingController {
  tool: Tool = $state('windowLevel');
  activeLabel = $state(1);
  locked: boolean[] = $state(new Array(256).fill(false));
  hidden = $state(new Set<number>());
  overlay: OverlayStyle = $state({ fill: true, outline: true, opacity: 0.5 });
  brushMm = $state(5);
  brushShape: 'circle' | 'sphere' = $state('circle');
  threshold = $state({ enabled: false, min: -100, max: 300 });
  islandMin = $state(100);
  brushRing: { x: number; y: number; r: number } | null = $state(null);
  revision = $state(0);
  savedRevision = $state(0);
  undoDepth = $state(0);
  redoDepth = $state(0);
  /** Per-label voxels, mL, mean/std of the scan values; updated from each edit's sparse diff. */
  labelStats: LabelStatistic[] = $state([]);
  readonly dirty = $derived(this.revision !== this.savedRevision);
  readonly counts = $derived(Object.fromEntries(this.labelStats.map((st) => [st.label, st.voxels])) as Record<number, number>);
  /** The editor of the open volume's label map; null with nothing open. */
  editor: LabelEditor | null = null;
  private statSums: LabelSums | null = null;

  constructor(
    private readonly view: ViewController,
    private readonly notices: Notices,
  ) {}

  /** A new label map arrived (volume opened): a fresh editor over the viewer's arrays. */
  startVolume(dims: readonly [number, number, number]): void {
    const v = this.view.viewer!;
    const d: [number, number, number] = [dims[0], dims[1], dims[2]];
    this.editor = new LabelEditor({ data: v.labelData!, dims: d, spacing: [...v.displayGeometry!.spacing] }, { data: v.scanData!, dims: [...d] });
    this.applySettings();
    this.revision = this.savedRevision = 0;
    this.hidden = new Set();
    v.setLabelStyle(this.overlay);
    this.sync();
    this.recomputeStats();
  }

  /** Reads every setting the editor copies (call inside an $effect so changes re-apply them). */
  trackSettings(): void {
    void [this.activeLabel, this.brushMm, this.brushShape, this.threshold.enabled, this.threshold.min, this.threshold.max, this.locked];
    untrack(() => this.applySettings());
  }

  private applySettings(): void {
    const ed = this.editor;
    if (!ed) return;
    ed.activeLabel = this.activeLabel;
    ed.brush = { radiusMm: this.brushMm / 2, shape: this.brushShape, threshold: { ...this.threshold } };
    for (let v = 0; v < 256; v++) ed.locked[v] = this.locked[v];
  }

  sync(): void {
    const ed = this.editor;
    if (!ed) return;
    this.revision = ed.revision;
    this.undoDepth = ed.undo.undoDepth;
    this.redoDepth = ed.undo.redoDepth;
  }

  markSaved(revision = this.revision): void {
    this.savedRevision = revision;
  }

  /** Label statistics from scratch: only when a whole label map arrives (volume opened, version loaded). */
  recomputeStats(): void {
    const l = this.view.viewer?.labelData;
    const v = this.view.viewer?.scanData;
    if (!l || !v) return;
    this.statSums = labelSums(l, v);
    this.publishStats();
  }

  /**
   * Shows an edit's diff and updates the statistics at a cost proportional to the voxels it changed.
   * `shown`: the viewer already has the change (a brush stroke marks its slices move by move).
   */
  applied(diff: LabelDiff | null, shown = false): void {
    if (!shown) this.view.viewer?.diffChanged(diff);
    const v = this.view.viewer?.scanData;
    if (diff && this.statSums && v && diff.indices.length > 0) {
      this.statSums = applyLabelChange(this.statSums, diff, v);
      this.publishStats();
    }
    this.sync();
  }

  private publishStats(): void {
    const sp = this.view.viewer?.displayGeometry?.spacing;
    if (this.statSums && sp) this.labelStats = labelStatistics(this.statSums, sp[0] * sp[1] * sp[2]);
  }

  /** Replaces the whole label map (display order): undoable, or as a fresh start of the history. */
  replaceLabels(display: Uint8Array, undoable: boolean): void {
    const viewer = this.view.viewer;
    if (!viewer || !this.editor) return;
    if (undoable) return this.applied(this.editor.replaceAll(display));
    viewer.labelData!.set(display);
    this.editor.undo.clear();
    viewer.labelsChanged();
    this.recomputeStats();
    this.sync();
  }

  /** Ends a stroke cut short (by saving): it is committed without a diff to hand, so statistics are counted afresh. */
  finishStroke(): void {
    if (!this.editor?.stroking) return;
    this.editor.cancelStroke();
    this.recomputeStats();
  }

  setTool(t: Tool): void {
    this.tool = t;
    const edit = EDIT_TOOLS.has(t);
    this.view.viewer?.setPointerMode(edit ? 'edit' : (t as Exclude<Tool, 'brush' | 'eraser' | 'fill'>));
    if (!edit) this.brushRing = null;
  }

  onPointer(e: EditPointerEvent): void {
    const { editor } = this;
    const viewer = this.view.viewer;
    if (!editor || !viewer) return;
    if (this.tool === 'fill') {
      if (e.phase !== 'down') return;
      const seed: [number, number, number] = [Math.round(e.ijk[0]), Math.round(e.ijk[1]), Math.round(e.ijk[2])];
      return this.applied(editor.fill(seed, e.shiftKey ? undefined : e.axis));
    }
    // Each move is drawn at once in the view painted (a preview); the views are redrawn when the stroke pauses or ends.
    if (e.phase === 'down') viewer.labelsChanged(editor.beginStroke(e.ijk, e.axis, this.tool === 'eraser'), e.view);
    else if (e.phase === 'move') viewer.labelsChanged(editor.continueStroke(e.ijk), e.view);
    else {
      viewer.labelsChanged(editor.continueStroke(e.ijk), e.view);
      viewer.strokeEnded();
      this.applied(editor.endStroke(), true);
    }
    if (e.phase !== 'move') this.sync();
  }

  /** The brush ring follows the pointer in the view it is over. */
  onCursor(c: CursorInfo, el: HTMLElement | undefined): void {
    const viewer = this.view.viewer;
    if ((this.tool !== 'brush' && this.tool !== 'eraser') || !viewer || !el) return;
    const rect = el.getBoundingClientRect();
    this.brushRing = { x: this.view.mouse.x - rect.left, y: this.view.mouse.y - rect.top, r: (this.brushMm / 2) * viewer.pixelsPerMm(c.view) };
  }

  runOp(name: string, op: (ed: LabelEditor) => Diff): void {
    if (!this.editor || !this.view.viewer) return;
    const d = op(this.editor);
    this.applied(d);
    this.notices.notify('info', `${name}: ${d.indices.length} voxels changed`);
  }

  undo(): void {
    if (!this.editor) return;
    const d = this.editor.undoStep();
    // Undo turns each voxel's `after` back into `before`.
    this.applied(d && { indices: d.indices, before: d.after, after: d.before });
  }

  redo(): void {
    if (this.editor) this.applied(this.editor.redoStep());
  }

  scaleBrush(factor: number): void {
    this.brushMm = Math.min(200, Math.max(0.5, Math.round(this.brushMm * factor * 10) / 10));
  }

  /** Shift+wheel changes the brush size (Slicer) instead of scrolling slices. */
  onWheel(e: WheelEvent): void {
    if (!e.shiftKey || (this.tool !== 'brush' && this.tool !== 'eraser')) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    this.scaleBrush(e.deltaY < 0 ? 1.15 : 1 / 1.15);
  }

  setOverlay(s: OverlayStyle): void {
    this.overlay = s;
    this.view.viewer?.setLabelStyle(s);
  }

  setLocked(value: number, locked: boolean): void {
    const n = [...this.locked];
    n[value] = locked;
    this.locked = n;
  }

  setVisible(value: number, visible: boolean): void {
    const h = new Set(this.hidden);
    if (visible) h.delete(value);
    else h.add(value);
    this.hidden = h;
    this.view.viewer?.setLabelVisible(value, visible);
  }
}
