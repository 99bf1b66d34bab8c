import { RenderingEngine, Enums, volumeLoader, setVolumesForViewports, cache, type Types } from '@cornerstonejs/core';
import {
  ToolGroupManager,
  Enums as ToolEnums,
  CrosshairsTool,
  PanTool,
  ZoomTool,
  StackScrollTool,
  WindowLevelTool,
  segmentation,
} from '@cornerstonejs/tools';
import type { LabelDef, VolumeHeader, VoxelDType } from '../../common/api';
import { initCornerstone } from './cornerstoneSetup';
import { closestAxis, displayGeometryFromRas, flipSlicesK, indexToWorld, lpsToRas, orientationLetters, viewRight, worldToIndex, type DisplayGeometry, type V3 } from './geometry';
import { windowToRange } from './windowPresets';
import type { LabelDiff } from '../editing/EditRecorder';
import { regionCrossesSlice, regionOfIndices, type VoxelRegion } from '../editing/VoxelRegion';
import { allocateDisplayArray, copySlab, type DisplayArray } from './slabCopy';
import { WithheldSlices } from './WithheldSlices';
import { drawStrokePreview } from './drawStrokePreview';
import { DeferredRedraw } from './DeferredRedraw';
import { labelLook } from './labelLook';

export type ViewName = 'axial' | 'sagittal' | 'coronal';
export const VIEW_NAMES: readonly ViewName[] = ['axial', 'sagittal', 'coronal'];

/** What the cursor is over: world RAS+ mm, source-grid voxel, scan value (HU for CT), label. */
export interface CursorInfo {
  view: ViewName;
  ras: V3;
  ijk: V3;
  inside: boolean;
  value: number | null;
  label: number;
}

/** Left-button mode: cornerstone navigation tools, or one of our editing tools. */
export type PointerMode = 'windowLevel' | 'crosshairs' | 'pan' | 'zoom' | 'edit';

export interface EditPointerEvent {
  phase: 'down' | 'move' | 'up';
  /** Continuous display-grid voxel coordinates under the pointer. */
  ijk: V3;
  /** Index axis normal to the view the pointer is in. */
  axis: 0 | 1 | 2;
  button: number;
  shiftKey: boolean;
  view: ViewName;
}

export interface ViewMarkers {
  top: string;
  right: string;
  bottom: string;
  left: string;
}

const SEG_ID = 'med3d-seg';

let volumeCounter = 0;

/** The next animation frame, or half a second when there is none (a hidden tab or minimised window has no frames). */
function nextFrame(): Promise<void> {
  return new Promise((res) => {
    requestAnimationFrame(() => res());
    setTimeout(res, 500);
  });
}

/** Least time between redraws of the views while a volume streams in (each uploads the slices arrived since the last). */
const SCAN_REDRAW_MS = 1000;

/** A brush stroke still for this long has its views redrawn (at its end they are at once). */
const STROKE_PAUSE_MS = 120;

/**
 * Three orthographic MPR viewports (axial, sagittal, coronal) on one cornerstone3D volume, with
 * the label map as a labelmap segmentation overlay. The renderer holds one copy of the voxels:
 * the array handed to cornerstone (its slices are views into it) is also what HU readouts and
 * threshold tools read.
 */
export class MprViewer {
  private engine: RenderingEngine | null = null;
  private geometry: DisplayGeometry | null = null;
  private scan: DisplayArray | null = null;
  private dtype: VoxelDType = 'int16';
  private shown = 0;
  private labels: Uint8Array | null = null;
  private volumeId = '';
  private labelVolumeId = '';
  private mode: PointerMode = 'windowLevel';
  private toolGroupId = '';
  /** Display k slices written since the scan texture was last told (streamed slabs). */
  private pendingScanSlices: number[] = [];
  private scanFlushScheduled = false;
  /** The scan's slices still to arrive, kept out of cornerstone's cache until they do. */
  private withheld: WithheldSlices | null = null;
  private lastScanFlush = 0;
  private readonly detach: Array<() => void> = [];
  private readonly strokeRedraw = new DeferredRedraw<ViewName>((views) => this.engine?.renderViewports(views), STROKE_PAUSE_MS);
  onCursor: (c: CursorInfo) => void = () => {};
  onEditPointer: (e: EditPointerEvent) => void = () => {};
  onCamera: () => void = () => {};

  constructor(readonly elements: Record<ViewName, HTMLDivElement>) {
    // cornerstone's start-up (WebGL probing, a few hundred ms with software GL) while the page is
    // idle rather than after Open; createVolume awaits the same promise and reports any failure.
    requestIdleCallback(() => void initCornerstone().catch(() => undefined));
  }

  /** Changes with every volume shown (streamVolume stops writing slabs of a replaced one). */
  get generation(): number {
    return this.shown;
  }

  get loaded(): boolean {
    return this.geometry !== null;
  }

  get displayGeometry(): DisplayGeometry | null {
    return this.geometry;
  }

  /** The scan voxels in display order (read-only use: HU readouts, threshold tools). */
  get scanData(): DisplayArray | null {
    return this.scan;
  }

  /** The label map in display order; editing tools write into it, then call labelsChanged. */
  get labelData(): Uint8Array | null {
    return this.labels;
  }

  /**
   * Shows a volume whose voxels arrive in slabs: the scan array is allocated once here, in the
   * type cornerstone renders (int16 stays int16), `first` is copied in before the views first
   * render (in `window`), and writeSlab adds the rest while the views are in use. Replaces any
   * previous volume and label map.
   */
  async createVolume(header: VolumeHeader, labelDefs: LabelDef[], first: { kStart: number; data: ArrayBuffer }, window: { width: number; center: number }): Promise<void> {
    await initCornerstone();
    this.teardown();
    const g = displayGeometryFromRas(header.affine, header.dims);
    const n = header.dims[0] * header.dims[1] * header.dims[2];
    const scan = allocateDisplayArray(header.dtype, n);
    const firstSlices = new Set(copySlab(scan, g.dims, g.flipK, first.kStart, first.data, header.dtype));
    this.dtype = header.dtype;
    const id = ++volumeCounter;
    this.shown = id;
    this.volumeId = `med3dScan${id}`; // no ':' in ids: cornerstone would try to fetch 'scheme:' image ids
    this.labelVolumeId = `med3dLabels${id}`;
    this.toolGroupId = `med3d-mpr-${id}`;
    const metadata = {
      BitsAllocated: scan instanceof Uint8Array ? 8 : scan instanceof Float32Array ? 32 : 16,
      BitsStored: scan instanceof Uint8Array ? 8 : scan instanceof Float32Array ? 32 : 16,
      SamplesPerPixel: 1,
      HighBit: scan instanceof Uint8Array ? 7 : 15,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelRepresentation: scan instanceof Int16Array ? 1 : 0,
      Modality: header.modality,
      SeriesInstanceUID: this.volumeId,
      FrameOfReferenceUID: `med3d-for-${id}`,
      ImageOrientationPatient: g.direction.slice(0, 6),
      PixelSpacing: [g.spacing[1], g.spacing[0]],
      Columns: g.dims[0],
      Rows: g.dims[1],
      voiLut: [],
    };
    const common = { dimensions: g.dims, spacing: g.spacing, origin: g.origin, direction: g.direction as unknown as Types.Mat3, metadata: metadata as unknown as Types.Metadata };
    const vol = volumeLoader.createLocalVolume(this.volumeId, { ...common, scalarData: scan });
    this.withheld = new WithheldSlices(vol.imageIds, firstSlices);
    const labels = new Uint8Array(n);
    this.geometry = g;
    this.scan = scan;
    this.labels = labels;

    const engine = new RenderingEngine(`med3d-engine-${id}`);
    this.engine = engine;
    const orientation: Record<ViewName, Enums.OrientationAxis> = {
      axial: Enums.OrientationAxis.AXIAL,
      sagittal: Enums.OrientationAxis.SAGITTAL,
      coronal: Enums.OrientationAxis.CORONAL,
    };
    engine.setViewports(
      VIEW_NAMES.map((v) => ({
        viewportId: v,
        type: Enums.ViewportType.ORTHOGRAPHIC,
        element: this.elements[v],
        defaultOptions: { orientation: orientation[v], background: [0, 0, 0] as Types.Point3 },
      })),
    );
    await setVolumesForViewports(engine, [{ volumeId: this.volumeId }], [...VIEW_NAMES]);
    // The window before anything is drawn: cornerstone already draws the scan while the
    // segmentation is set up, and setting the window after that cost another render of all views.
    this.applyWindow(window);
    // The scan's first image is painted before the label map volume is made (an image per slice
    // for cornerstone's cache: ~0.2 s of the page's thread); edits start only after this resolves.
    engine.render();
    await nextFrame();
    if (this.shown !== id) return; // replaced meanwhile
    volumeLoader.createLocalLabelmapVolume({ ...common, scalarData: labels }, this.labelVolumeId);
    await this.setupSegmentation(labelDefs);
    // The tools once the label map's actor is in the views: adding it resets each view's camera,
    // and with the crosshairs tool listening each reset re-centred all three views again (~0.2 s
    // of the page's thread; all in 3.95–4.32 → 3.54–4.12 s). Scroll and window start with edits.
    await this.labelActorsAdded(engine);
    if (this.shown !== id) return;
    this.setupTools();
    for (const v of VIEW_NAMES) this.attachPointer(v);
    engine.render();
  }

  /** Resolves once every view holds the label map's actor (cornerstone adds it at a later render), or after a second. */
  private async labelActorsAdded(engine: RenderingEngine): Promise<void> {
    const until = performance.now() + 1000;
    while (performance.now() < until && VIEW_NAMES.some((v) => (engine.getViewport(v) as Types.IVolumeViewport).getActors().length < 2)) await nextFrame();
  }

  private setupTools(): void {
    const tg = ToolGroupManager.createToolGroup(this.toolGroupId);
    if (!tg) throw new Error('could not create the cornerstone tool group');
    for (const t of [CrosshairsTool, PanTool, ZoomTool, StackScrollTool, WindowLevelTool]) tg.addTool(t.toolName);
    for (const v of VIEW_NAMES) tg.addViewport(v, this.engine!.id);
    tg.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    tg.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    tg.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    this.applyPointerMode();
  }

  private async setupSegmentation(labelDefs: LabelDef[]): Promise<void> {
    segmentation.removeAllSegmentations();
    segmentation.addSegmentations([
      {
        segmentationId: SEG_ID,
        representation: { type: ToolEnums.SegmentationRepresentations.Labelmap, data: { volumeId: this.labelVolumeId } },
      },
    ]);
    const map: Record<string, Array<{ segmentationId: string }>> = {};
    for (const v of VIEW_NAMES) map[v] = [{ segmentationId: SEG_ID }];
    await segmentation.addLabelmapRepresentationToViewportMap(map);
    this.setLabelColors(labelDefs);
    this.setLabelStyle({ fill: true, outline: true, opacity: 0.5 });
  }

  setLabelColors(defs: LabelDef[]): void {
    if (!this.engine) return;
    for (const v of VIEW_NAMES) for (const d of defs) segmentation.config.color.setSegmentIndexColor(v, SEG_ID, d.value, [d.color[0], d.color[1], d.color[2], 255] as Types.Color);
    this.engine.render();
  }

  setLabelStyle(s: { fill: boolean; outline: boolean; opacity: number }): void {
    segmentation.config.style.setStyle(
      { type: ToolEnums.SegmentationRepresentations.Labelmap },
      { renderFill: s.fill, renderOutline: s.outline, fillAlpha: s.opacity, outlineOpacity: Math.min(1, s.opacity + 0.4), outlineWidth: 1, renderFillInactive: s.fill, renderOutlineInactive: s.outline, fillAlphaInactive: s.opacity },
    );
    this.engine?.render();
  }

  setLabelVisible(value: number, visible: boolean): void {
    if (!this.engine) return;
    for (const v of VIEW_NAMES) segmentation.config.visibility.setSegmentIndexVisibility(v, { segmentationId: SEG_ID, type: ToolEnums.SegmentationRepresentations.Labelmap }, value, visible);
    this.engine.render();
  }

  /**
   * Re-renders the overlay after the label data changed. Only the label map's texture slices
   * (k) in `region` are re-uploaded (texSubImage3D, as cornerstone's segmentation update does),
   * and only the views whose current slice crosses `region` are redrawn: with software WebGL a
   * view's redraw is most of a frame, and a stroke in one view rarely crosses the other two.
   * No region: everything; null: nothing changed.
   * `paintedIn` (a brush move in that view): the change is drawn at once into that view's canvas
   * (drawStrokePreview), and the redraw of the views waits for a pause in the stroke or its end
   * (strokeEnded); the redraw replaces the preview.
   */
  labelsChanged(region?: VoxelRegion | null, paintedIn?: ViewName): void {
    if (!this.engine || !this.geometry || region === null) return;
    const vol = cache.getVolume(this.labelVolumeId);
    if (!vol) return;
    const k0 = region ? region.min[2] : 0;
    const k1 = region ? region.max[2] : this.geometry.dims[2] - 1;
    for (let k = k0; k <= k1; k++) vol.vtkOpenGLTexture.setUpdatedFrame(k);
    vol.imageData?.modified();
    const views = region ? VIEW_NAMES.filter((v) => this.viewShows(v, region)) : [...VIEW_NAMES];
    if (paintedIn && region) {
      const viewport = this.engine.getViewport(paintedIn) as Types.IVolumeViewport;
      drawStrokePreview(region, { viewport, geometry: this.geometry, scan: this.scan!, labels: this.labels!, look: labelLook(viewport, SEG_ID) });
      this.strokeRedraw.add(views);
    } else if (views.length > 0) this.engine.renderViewports(views);
  }

  /** The brush stroke ended: the views it changed are redrawn now. */
  strokeEnded(): void {
    this.strokeRedraw.flush();
  }

  /** labelsChanged for the voxels an undoable edit touched. */
  diffChanged(diff: LabelDiff | null): void {
    if (diff && this.geometry) this.labelsChanged(regionOfIndices(diff.indices, this.geometry.dims));
  }

  /** Whether a view's current slice crosses a region (oblique views always may). */
  private viewShows(view: ViewName, region: VoxelRegion): boolean {
    const at = this.sliceIndexOf(view);
    return at === null || regionCrossesSlice(region, at.axis, at.index);
  }

  /** The index axis a view looks along and where its plane is on it (continuous); null when the view is oblique. */
  private sliceIndexOf(view: ViewName): { axis: 0 | 1 | 2; index: number } | null {
    const g = this.geometry!;
    const cam = (this.engine!.getViewport(view) as Types.IVolumeViewport).getCamera();
    const normal = cam.viewPlaneNormal as V3;
    const axis = closestAxis(g, normal);
    const d = g.direction;
    const cos = Math.abs(d[3 * axis] * normal[0] + d[3 * axis + 1] * normal[1] + d[3 * axis + 2] * normal[2]);
    if (cos < 0.999) return null;
    return { axis, index: worldToIndex(g, cam.focalPoint as V3)[axis] };
  }

  /**
   * Copies a slab of source k-slices (getVoxels' layout) into the scan and tells cornerstone
   * which texture slices changed: the next render uploads just those (texSubImage3D). While slabs
   * stream in, the views are redrawn at most every SCAN_REDRAW_MS: with software WebGL each
   * redraw of three views costs more than a slab, and the views stay responsive meanwhile.
   */
  writeSlab(kStart: number, data: ArrayBuffer): void {
    if (!this.scan || !this.geometry) throw new Error('no volume open');
    this.pendingScanSlices.push(...copySlab(this.scan, this.geometry.dims, this.geometry.flipK, kStart, data, this.dtype));
    if (this.scanFlushScheduled) return;
    this.scanFlushScheduled = true;
    const shown = this.shown;
    setTimeout(() => requestAnimationFrame(() => this.flushScanSlices(shown)), Math.max(0, this.lastScanFlush + SCAN_REDRAW_MS - performance.now()));
  }

  /** Uploads and draws the slabs written so far now (the last slab is in); resolves once the views have been redrawn. */
  async finishSlabs(): Promise<void> {
    const shown = this.shown;
    await nextFrame();
    this.flushScanSlices(shown);
    await nextFrame(); // cornerstone renders on the next frame
  }

  private flushScanSlices(shown: number): void {
    if (shown !== this.shown) return; // a flush of a volume since replaced
    this.scanFlushScheduled = false;
    const vol = cache.getVolume(this.volumeId);
    const slices = this.pendingScanSlices;
    this.pendingScanSlices = [];
    if (!vol || !this.engine || slices.length === 0) return;
    this.lastScanFlush = performance.now();
    for (const k of slices) {
      this.withheld?.release(k);
      vol.vtkOpenGLTexture.setUpdatedFrame(k);
    }
    vol.imageData?.modified();
    // Only the views that show an arrived slice: the sagittal and coronal planes cross every
    // slab, the axial one only its own slice (a redraw of a view costs most of a frame here).
    const [nx, ny] = this.geometry!.dims;
    const views = VIEW_NAMES.filter((v) => slices.some((k) => this.viewShows(v, { min: [0, 0, k], max: [nx - 1, ny - 1, k] })));
    if (views.length > 0) this.engine.renderViewports(views);
  }

  /** Label map in source (API) order: a copy, ready to send. */
  labelsInSourceOrder(): Uint8Array {
    if (!this.labels || !this.geometry) throw new Error('no volume open');
    const out = this.labels.slice();
    if (this.geometry.flipK) flipSlicesK(out, this.geometry.dims);
    return out;
  }

  /** Converts a source-order label map to display order (a copy). */
  toDisplayOrder(src: Uint8Array): Uint8Array {
    if (!this.geometry) throw new Error('no volume open');
    const out = src.slice();
    if (this.geometry.flipK) flipSlicesK(out, this.geometry.dims);
    return out;
  }

  setWindow(width: number, center: number): void {
    if (!this.engine) return;
    this.applyWindow({ width, center });
    this.engine.render();
  }

  private applyWindow(w: { width: number; center: number }): void {
    const range = windowToRange(w.width, w.center);
    for (const v of VIEW_NAMES) (this.engine!.getViewport(v) as Types.IVolumeViewport).setProperties({ voiRange: range });
  }

  /** Current window of the axial view (the W/L tool changes views independently). */
  getWindow(): { width: number; center: number } | null {
    const vp = this.engine?.getViewport('axial') as Types.IVolumeViewport | undefined;
    const r = vp?.getProperties()?.voiRange;
    return r ? { width: r.upper - r.lower, center: (r.upper + r.lower) / 2 } : null;
  }

  setPointerMode(mode: PointerMode): void {
    this.mode = mode;
    if (this.engine) this.applyPointerMode();
  }

  private applyPointerMode(): void {
    const tg = ToolGroupManager.getToolGroup(this.toolGroupId);
    if (!tg) return;
    const primary = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
    for (const t of [WindowLevelTool, CrosshairsTool]) tg.setToolPassive(t.toolName, { removeAllBindings: true });
    tg.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    tg.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    if (this.mode === 'windowLevel') tg.setToolActive(WindowLevelTool.toolName, { bindings: primary });
    else if (this.mode === 'crosshairs') tg.setToolActive(CrosshairsTool.toolName, { bindings: primary });
    else if (this.mode === 'pan') tg.setToolActive(PanTool.toolName, { bindings: [...primary, { mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    else if (this.mode === 'zoom') tg.setToolActive(ZoomTool.toolName, { bindings: [...primary, { mouseButton: ToolEnums.MouseBindings.Secondary }] });
  }

  /** Display-grid continuous index under a client (page) point in a view, or null. */
  indexAtClient(view: ViewName, clientX: number, clientY: number): V3 | null {
    if (!this.engine || !this.geometry) return null;
    const el = this.elements[view];
    const rect = el.getBoundingClientRect();
    const vp = this.engine.getViewport(view) as Types.IVolumeViewport;
    const world = vp.canvasToWorld([clientX - rect.left, clientY - rect.top]) as V3;
    return worldToIndex(this.geometry, world);
  }

  /** Client (page) point of a display-grid index in a view (used by tests and the brush cursor). */
  clientAtIndex(view: ViewName, ijk: V3): [number, number] | null {
    if (!this.engine || !this.geometry) return null;
    const el = this.elements[view];
    const rect = el.getBoundingClientRect();
    const vp = this.engine.getViewport(view) as Types.IVolumeViewport;
    const c = vp.worldToCanvas(indexToWorld(this.geometry, ijk) as Types.Point3);
    return [c[0] + rect.left, c[1] + rect.top];
  }

  /** Index axis normal to a view's plane. */
  viewAxis(view: ViewName): 0 | 1 | 2 {
    const vp = this.engine!.getViewport(view) as Types.IVolumeViewport;
    return closestAxis(this.geometry!, vp.getCamera().viewPlaneNormal as V3);
  }

  /** Screen pixels per mm in a view (to draw the brush outline at its true size). */
  pixelsPerMm(view: ViewName): number {
    if (!this.engine) return 1;
    const vp = this.engine.getViewport(view) as Types.IVolumeViewport;
    const a = vp.canvasToWorld([0, 0]);
    const b = vp.canvasToWorld([100, 0]);
    const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    return d > 0 ? 100 / d : 1;
  }

  /** Moves a view to the slice containing a display-grid index (e.g. to centre on a finding). */
  jumpTo(ijk: V3): void {
    if (!this.engine || !this.geometry) return;
    const world = indexToWorld(this.geometry, ijk);
    for (const v of VIEW_NAMES) {
      const vp = this.engine.getViewport(v) as Types.IVolumeViewport;
      const cam = vp.getCamera();
      const n = cam.viewPlaneNormal as V3;
      const fp = cam.focalPoint as V3;
      const d = (world[0] - fp[0]) * n[0] + (world[1] - fp[1]) * n[1] + (world[2] - fp[2]) * n[2];
      const shift = [n[0] * d, n[1] * d, n[2] * d];
      vp.setCamera({
        focalPoint: [fp[0] + shift[0], fp[1] + shift[1], fp[2] + shift[2]] as Types.Point3,
        position: [cam.position![0] + shift[0], cam.position![1] + shift[1], cam.position![2] + shift[2]] as Types.Point3,
      });
    }
    this.engine.render();
    this.onCamera();
  }

  /** Steps a view by n slices. */
  scroll(view: ViewName, delta: number): void {
    const vp = this.engine?.getViewport(view) as Types.IVolumeViewport | undefined;
    if (!vp) return;
    vp.scroll(delta);
    this.onCamera();
  }

  /** Current slice number / count of a view. */
  sliceInfo(view: ViewName): { index: number; count: number } | null {
    const vp = this.engine?.getViewport(view) as Types.IVolumeViewport | undefined;
    if (!vp) return null;
    return { index: vp.getSliceIndex(), count: vp.getNumberOfSlices() };
  }

  markers(view: ViewName): ViewMarkers {
    const vp = this.engine?.getViewport(view) as Types.IVolumeViewport | undefined;
    if (!vp) return { top: '', right: '', bottom: '', left: '' };
    const cam = vp.getCamera();
    const up = cam.viewUp as V3;
    const right = viewRight(up, cam.viewPlaneNormal as V3);
    const neg = (v: V3): V3 => [-v[0], -v[1], -v[2]];
    return { top: orientationLetters(up), bottom: orientationLetters(neg(up)), right: orientationLetters(right), left: orientationLetters(neg(right)) };
  }

  resetCameras(): void {
    if (!this.engine) return;
    for (const v of VIEW_NAMES) this.engine.getViewport(v).resetCamera();
    this.engine.render();
    this.onCamera();
  }

  resize(): void {
    this.engine?.resize(true, true);
  }

  render(): void {
    this.engine?.render();
  }

  private cursorAt(view: ViewName, clientX: number, clientY: number): CursorInfo | null {
    const g = this.geometry;
    const idx = this.indexAtClient(view, clientX, clientY);
    if (!g || !idx || !this.scan || !this.labels) return null;
    const r: V3 = [Math.round(idx[0]), Math.round(idx[1]), Math.round(idx[2])];
    const inside = r.every((x, a) => x >= 0 && x < g.dims[a]);
    const flat = r[0] + g.dims[0] * (r[1] + g.dims[1] * r[2]);
    const src: V3 = g.flipK ? [r[0], r[1], g.dims[2] - 1 - r[2]] : r;
    return {
      view,
      ras: lpsToRas(indexToWorld(g, idx)),
      ijk: src,
      inside,
      value: inside ? this.scan[flat] : null,
      label: inside ? this.labels[flat] : 0,
    };
  }

  private attachPointer(view: ViewName): void {
    const el = this.elements[view];
    let dragging = false;
    const edit = (phase: EditPointerEvent['phase'], e: MouseEvent): void => {
      const ijk = this.indexAtClient(view, e.clientX, e.clientY);
      if (ijk) this.onEditPointer({ phase, ijk, axis: this.viewAxis(view), button: e.button, shiftKey: e.shiftKey, view });
    };
    // Capture phase: editing tools take the left button before cornerstone's tools see it.
    const down = (e: MouseEvent): void => {
      if (this.mode !== 'edit' || e.button !== 0) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      dragging = true;
      edit('down', e);
    };
    const move = (e: MouseEvent): void => {
      const c = this.cursorAt(view, e.clientX, e.clientY);
      if (c) this.onCursor(c);
      if (dragging) {
        e.stopImmediatePropagation();
        edit('move', e);
      }
    };
    const up = (e: MouseEvent): void => {
      if (!dragging) return;
      dragging = false;
      e.stopImmediatePropagation();
      edit('up', e);
    };
    const cam = (): void => this.onCamera();
    el.addEventListener('mousedown', down, true);
    el.addEventListener('mousemove', move, true);
    window.addEventListener('mouseup', up, true);
    el.addEventListener(Enums.Events.CAMERA_MODIFIED, cam);
    this.detach.push(() => {
      el.removeEventListener('mousedown', down, true);
      el.removeEventListener('mousemove', move, true);
      window.removeEventListener('mouseup', up, true);
      el.removeEventListener(Enums.Events.CAMERA_MODIFIED, cam);
    });
  }

  private teardown(): void {
    for (const d of this.detach.splice(0)) d();
    this.strokeRedraw.cancel();
    if (this.engine) {
      // Disable first: the crosshairs tool keeps camera listeners that outlive a destroyed group.
      const tg = ToolGroupManager.getToolGroup(this.toolGroupId);
      for (const t of [CrosshairsTool, PanTool, ZoomTool, StackScrollTool, WindowLevelTool]) tg?.setToolDisabled(t.toolName);
      ToolGroupManager.destroyToolGroup(this.toolGroupId);
      segmentation.removeAllSegmentations();
      this.engine.destroy();
      this.engine = null;
    }
    // The volumes' slice images too: cornerstone leaves them cached, which would keep every
    // scan opened in this page alive.
    for (const id of [this.volumeId, this.labelVolumeId]) {
      const vol = id ? cache.getVolume(id) : undefined;
      if (!vol) continue;
      const imageIds = vol.imageIds ?? [];
      cache.removeVolumeLoadObject(id);
      for (const imageId of imageIds) if (cache.getImage(imageId)) cache.removeImageLoadObject(imageId, { force: true });
    }
    this.geometry = null;
    this.scan = null;
    this.labels = null;
    this.shown = 0;
    this.pendingScanSlices = [];
    this.scanFlushScheduled = false;
    this.withheld = null;
  }

  destroy(): void {
    this.teardown();
  }
}
