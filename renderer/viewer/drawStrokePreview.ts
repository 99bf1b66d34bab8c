import type { Types } from '@cornerstonejs/core';
import type { VoxelRegion } from '../editing/VoxelRegion';
import { footprintPixels, pixelBoxAround, type LabelLook, type PixelToIndex } from './footprintPixels';
import { indexToWorld, worldToIndex, type DisplayGeometry, type V3 } from './geometry';

/** What a stroke preview is drawn from: the view's cornerstone viewport (camera, window) and the viewer's arrays. */
export interface PreviewScene {
  viewport: Types.IVolumeViewport;
  geometry: DisplayGeometry;
  scan: ArrayLike<number>;
  labels: Uint8Array;
  look: LabelLook;
}

/**
 * Paint feedback within the frame of the mouse move, as 3D Slicer's Paint effect gives it: the
 * pixels of a view that show the voxels a brush move changed are drawn at once from the viewer's
 * own arrays (footprintPixels), straight into the view's on-screen canvas, while the full
 * cornerstone render (a ray-cast of the scan and labelmap volumes, most of a frame or several
 * with software WebGL) waits for a pause in the stroke or its end. That canvas is only the
 * target cornerstone copies each render into, so its next render of the view replaces the
 * preview whole, in the same task: no layer of our own to composite every frame (with
 * SwiftShader compositing each full-size layer costs milliseconds per frame), nothing to clear.
 * The cornerstone → canvas mapping is the viewport's own (canvasToWorld / worldToCanvas: zoom,
 * pan and oblique planes), in device pixels.
 */
export function drawStrokePreview(region: VoxelRegion, scene: PreviewScene): void {
  const vp = scene.viewport;
  const canvas = vp.canvas;
  const voi = vp.getProperties()?.voiRange;
  if (!canvas?.width || !canvas.height || !voi) return;
  const dpr = window.devicePixelRatio || 1;
  const g = scene.geometry;
  // Voxel corners of the region grown by one voxel: the neighbours' outlines may change too.
  const corners: Array<[number, number]> = [];
  for (const i of [region.min[0] - 1.5, region.max[0] + 1.5])
    for (const j of [region.min[1] - 1.5, region.max[1] + 1.5])
      for (const k of [region.min[2] - 1.5, region.max[2] + 1.5]) {
        const c = vp.worldToCanvas(indexToWorld(g, [i, j, k]) as Types.Point3);
        corners.push([c[0] * dpr, c[1] * dpr]);
      }
  const box = pixelBoxAround(corners, canvas.width, canvas.height, 1);
  if (!box) return;
  const pixels = footprintPixels(box, pixelToIndex(vp, g, dpr), { dims: g.dims, scan: scene.scan, labels: scene.labels }, voi, scene.look);
  canvas.getContext('2d')?.putImageData(new ImageData(pixels, box.width, box.height), box.x, box.y);
}

/** The view's device pixel → display index mapping, from cornerstone's canvasToWorld (CSS pixels). */
function pixelToIndex(vp: Types.IVolumeViewport, g: DisplayGeometry, dpr: number): PixelToIndex {
  const at = (x: number, y: number): V3 => worldToIndex(g, vp.canvasToWorld([(x + 0.5) / dpr, (y + 0.5) / dpr]) as V3);
  const far = 1024; // the mapping is affine: steps taken over many pixels keep rounding errors small
  const o = at(0, 0);
  const x = at(far, 0);
  const y = at(0, far);
  const step = (p: V3): V3 => [(p[0] - o[0]) / far, (p[1] - o[1]) / far, (p[2] - o[2]) / far];
  return { origin: o, dx: step(x), dy: step(y) };
}
