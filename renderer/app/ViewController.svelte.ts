import { MprViewer, VIEW_NAMES, type CursorInfo, type ViewMarkers, type ViewName } from '../viewer/MprViewer';
import { WINDOW_PRESETS } from '../viewer/windowPresets';

const blank = (): ViewMarkers => ({ top: '', right: '', bottom: '', left: '' });

/** The three MPR views: the cornerstone viewer and what the UI shows around it (markers, slice numbers, window, cursor). */
export class ViewController {
  /** Set once the view grid is mounted. */
  viewer: MprViewer | null = null;
  markers: Record<ViewName, ViewMarkers> = $state({ axial: blank(), sagittal: blank(), coronal: blank() });
  slices: Record<ViewName, string> = $state({ axial: '', sagittal: '', coronal: '' });
  windowText = $state('');
  cursor: CursorInfo | null = $state(null);
  /** The view the pointer was last over: keyboard slice changes and slice operations act on it. */
  activeView: ViewName = 'axial';
  /** Last pointer position in client pixels (the brush ring follows it). */
  readonly mouse = { x: 0, y: 0 };

  /** Creates the viewer on the mounted view elements; returns the clean-up. */
  attach(els: Record<ViewName, HTMLDivElement>, onCursor: (c: CursorInfo) => void): () => void {
    const viewer = new MprViewer(els);
    this.viewer = viewer;
    viewer.onCursor = (c) => {
      this.cursor = c;
      this.activeView = c.view;
      onCursor(c);
    };
    viewer.onCamera = () => this.refresh();
    const ro = new ResizeObserver(() => {
      viewer.resize();
      this.refresh();
    });
    for (const v of VIEW_NAMES) ro.observe(els[v]);
    const track = (e: MouseEvent): void => {
      this.mouse.x = e.clientX;
      this.mouse.y = e.clientY;
    };
    window.addEventListener('mousemove', track, true);
    return () => {
      ro.disconnect();
      window.removeEventListener('mousemove', track, true);
      viewer.destroy();
      this.viewer = null;
    };
  }

  /** Re-reads markers, slice numbers and window from the viewer (after camera or volume changes). */
  refresh(): void {
    const viewer = this.viewer;
    if (!viewer?.loaded) return;
    const m = { ...this.markers };
    const s = { ...this.slices };
    for (const v of VIEW_NAMES) {
      m[v] = viewer.markers(v);
      const si = viewer.sliceInfo(v);
      s[v] = si ? `${si.index + 1}/${si.count}` : '';
    }
    this.markers = m;
    this.slices = s;
    const w = viewer.getWindow();
    this.windowText = w ? `W ${Math.round(w.width)} L ${Math.round(w.center)}` : '';
  }

  preset(i: number): void {
    const p = WINDOW_PRESETS[i];
    if (p && this.viewer) {
      this.viewer.setWindow(p.width, p.center);
      this.refresh();
    }
  }

  scroll(delta: number): void {
    this.viewer?.scroll(this.activeView, delta);
    this.refresh();
  }
}
