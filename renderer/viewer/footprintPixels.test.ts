import { describe, it, expect } from 'vitest';
import { footprintPixels, pixelBoxAround, type LabelLook, type PixelToIndex } from './footprintPixels';
import type { V3 } from './geometry';

/** 6×5×3 scan whose value is 10·i + 100·j (+ 1000·k), no labels. */
function volume(): { dims: V3; scan: Int16Array; labels: Uint8Array } {
  const dims: V3 = [6, 5, 3];
  const scan = new Int16Array(6 * 5 * 3);
  for (let k = 0; k < 3; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) scan[i + 6 * (j + 5 * k)] = 10 * i + 100 * j + 1000 * k;
  return { dims, scan, labels: new Uint8Array(scan.length) };
}

/** Label 1 red with fill opacity `fill`, outlines at `outline` (0: none). */
function look(fill: number, outline: number): LabelLook {
  const f = new Uint8Array(256 * 4);
  f.set([255, 0, 0, Math.round(fill * 255)], 4);
  const on = new Uint8Array(256);
  on[1] = outline > 0 ? 1 : 0;
  return { fill: f, outlineOn: on, outlineAlpha: outline };
}

const axial = (k: number, zoom = 1): PixelToIndex => ({ origin: [0, 0, k], dx: [1 / zoom, 0, 0], dy: [0, 1 / zoom, 0] });
const pixel = (px: Uint8ClampedArray, width: number, x: number, y: number): number[] => Array.from(px.subarray(4 * (y * width + x), 4 * (y * width + x) + 4));

describe('footprintPixels', () => {
  it('draws the scan through the window, one voxel per pixel; pixels off the grid stay transparent', () => {
    const v = volume();
    const px = footprintPixels({ x: 4, y: 3, width: 3, height: 3 }, axial(1), v, { lower: 1000, upper: 1510 }, look(0.5, 0));
    // pixel (4, 3) is voxel (4, 3, 1) = 1340 → (340 / 510) · 255 = 170
    expect(pixel(px, 3, 0, 0)).toEqual([170, 170, 170, 255]);
    expect(pixel(px, 3, 1, 1)).toEqual([225, 225, 225, 255]); // (5, 4, 1) = 1450 → 225
    expect(pixel(px, 3, 2, 0)).toEqual([0, 0, 0, 0]); // i = 6 is off the grid
    expect(pixel(px, 3, 0, 2)).toEqual([0, 0, 0, 0]); // j = 5 is off the grid
    const narrow = footprintPixels({ x: 0, y: 0, width: 6, height: 1 }, axial(1), v, { lower: 1020, upper: 1030 }, look(0.5, 0));
    expect([0, 2, 3, 5].map((x) => pixel(narrow, 6, x, 0)[0])).toEqual([0, 0, 255, 255]); // clamped below and above the window
  });

  it('blends a label at its fill opacity inside and at the outline opacity on its edge; a hidden label shows the scan', () => {
    const v = volume();
    for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) v.labels[i + 6 * (j + 5 * 0)] = 1;
    const voi = { lower: 0, upper: 510 };
    const px = footprintPixels({ x: 0, y: 0, width: 6, height: 5 }, axial(0), v, voi, look(0.5, 1));
    // centre (2, 2): scan 220 → grey 110; red at 0.5: [182.5, 55, 55]
    expect(pixel(px, 6, 2, 2)).toEqual([183, 55, 55, 255]);
    // edge (1, 2): outline opacity 1 → pure label colour
    expect(pixel(px, 6, 1, 2)).toEqual([255, 0, 0, 255]);
    // outside the label: scan only (0, 0) = 0 → black
    expect(pixel(px, 6, 0, 0)).toEqual([0, 0, 0, 255]);
    const hidden = footprintPixels({ x: 0, y: 0, width: 6, height: 5 }, axial(0), v, voi, look(0, 0));
    expect(pixel(hidden, 6, 2, 2)).toEqual([110, 110, 110, 255]);
  });

  it('interpolates the scan and takes the nearest voxel for labels on zoomed and oblique mappings', () => {
    const v = volume();
    // Zoom 2: device pixels 0, 1, 2, 3 fall on i = 0, 0.5, 1, 1.5 (values 0, 5, 10, 15).
    const px = footprintPixels({ x: 0, y: 0, width: 4, height: 1 }, axial(0, 2), v, { lower: 0, upper: 255 }, look(0, 0));
    expect([0, 1, 2, 3].map((x) => pixel(px, 4, x, 0)[0])).toEqual([0, 5, 10, 15]);
    // A plane tilted through k: pixel x is at (x, 0, x / 2), value 10·x + 1000·x / 2 → grey x · 51.
    const tilted: PixelToIndex = { origin: [0, 0, 0], dx: [1, 0, 0.5], dy: [0, 1, 0] };
    const t = footprintPixels({ x: 0, y: 0, width: 5, height: 1 }, tilted, v, { lower: 0, upper: 2550 }, look(0, 0));
    expect([0, 1, 2, 3, 4].map((x) => pixel(t, 5, x, 0)[0])).toEqual([0, 51, 102, 153, 204]);
    // Labels are not blended between voxels: voxel (1, 0, 0) labelled, pixel 1 at i = 0.5 takes it whole
    // (rounds to voxel 1), pixel 0 and pixel 3 (i = 1.5 → voxel 2) not at all.
    v.labels[1] = 1;
    const l = footprintPixels({ x: 0, y: 0, width: 4, height: 1 }, axial(0, 2), v, { lower: 0, upper: 255 }, look(1, 0));
    expect([0, 1, 2, 3].map((x) => pixel(l, 4, x, 0).slice(0, 3))).toEqual([[0, 0, 0], [255, 0, 0], [255, 0, 0], [15, 15, 15]]);
  });
});

describe('pixelBoxAround', () => {
  it('boxes points with a pad, clipped to the canvas; null when outside', () => {
    expect(pixelBoxAround([[10.2, 5.7], [20.9, 8]], 100, 50, 1)).toEqual({ x: 9, y: 4, width: 13, height: 5 });
    expect(pixelBoxAround([[-5, -5], [3, 2]], 100, 50, 0)).toEqual({ x: 0, y: 0, width: 3, height: 2 });
    expect(pixelBoxAround([[120, 10], [130, 20]], 100, 50, 1)).toBeNull();
  });
});
