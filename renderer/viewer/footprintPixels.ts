import type { V3 } from './geometry';

/** A rectangle of device pixels on a view's canvas (x, y: top-left corner). */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a view's device pixels fall in the display grid: the continuous index (i, j, k) of the
 * centre of device pixel (x, y) is origin + x·dx + y·dy. Exact for cornerstone's orthographic
 * views (axis-aligned or oblique), whose canvas → world mapping is affine.
 */
export interface PixelToIndex {
  origin: V3;
  dx: V3;
  dy: V3;
}

/** How the label overlay looks, as cornerstone's labelmap style draws it. */
export interface LabelLook {
  /** RGB of label value v at 4v..4v+2; 4v+3: its fill opacity 0..1 × 255 (0: hidden or not filled). */
  fill: Uint8Array;
  /** Opacity 0..1 of a label's outline (label voxels next to a different label); 0: no outline. */
  outlineAlpha: number;
  /** outlineOn[v]: label v draws an outline (visible, outlines on). */
  outlineOn: Uint8Array;
}

/** The voxels a footprint is drawn from, in display order (the viewer's own arrays). */
export interface FootprintVolume {
  dims: V3;
  scan: ArrayLike<number>;
  labels: Uint8Array;
}

/**
 * The box of device pixels that covers projected points (e.g. a voxel region's corners), grown by
 * `pad` pixels and clipped to a width × height canvas; null when it falls outside.
 */
export function pixelBoxAround(points: ReadonlyArray<readonly [number, number]>, width: number, height: number, pad: number): PixelBox | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const left = Math.max(0, Math.floor(x0 - pad));
  const top = Math.max(0, Math.floor(y0 - pad));
  const right = Math.min(width, Math.ceil(x1 + pad));
  const bottom = Math.min(height, Math.ceil(y1 + pad));
  return right > left && bottom > top ? { x: left, y: top, width: right - left, height: bottom - top } : null;
}

/**
 * RGBA pixels (row-major, box.width × box.height) of a box of a view, drawn from the voxel arrays
 * the way cornerstone draws the scan and its labelmap: the scan value through the window
 * (linear, `voi` lower → black, upper → white), then the label's colour blended at its fill
 * opacity, or at the outline opacity where a neighbouring pixel shows another label. The scan is
 * interpolated trilinearly and the labels take the nearest voxel, as cornerstone's volume
 * actors sample them. Pixels whose nearest voxel is outside the grid are transparent, so the view
 * beneath shows through.
 */
export function footprintPixels(box: PixelBox, map: PixelToIndex, vol: FootprintVolume, voi: { lower: number; upper: number }, look: LabelLook): Uint8ClampedArray<ArrayBuffer> {
  const { width, height } = box;
  const out = new Uint8ClampedArray(width * height * 4);
  // Label of each pixel of the box and a one-pixel ring around it (outlines look at neighbours); -1: outside the grid.
  const lw = width + 2;
  const lh = height + 2;
  const lab = new Int16Array(lw * lh);
  const vox = new Int32Array(lw * lh);
  const [nx, ny, nz] = vol.dims;
  const [ox, oy, oz] = map.origin;
  const [ax, ay, az] = map.dx;
  const [bx, by, bz] = map.dy;
  for (let r = 0; r < lh; r++) {
    const py = box.y + r - 1;
    for (let c = 0; c < lw; c++) {
      const px = box.x + c - 1;
      const i = Math.round(ox + px * ax + py * bx);
      const j = Math.round(oy + px * ay + py * by);
      const k = Math.round(oz + px * az + py * bz);
      const at = r * lw + c;
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) {
        lab[at] = -1;
        vox[at] = -1;
        continue;
      }
      const n = i + nx * (j + ny * k);
      vox[at] = n;
      lab[at] = vol.labels[n];
    }
  }
  const scale = 255 / Math.max(voi.upper - voi.lower, 1e-6);
  const { fill, outlineOn } = look;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const at = (r + 1) * lw + c + 1;
      const n = vox[at];
      if (n < 0) continue;
      const o = 4 * (r * width + c);
      const px = box.x + c;
      const py = box.y + r;
      const value = trilinear(vol.scan, vol.dims, ox + px * ax + py * bx, oy + px * ay + py * by, oz + px * az + py * bz);
      const grey = Math.min(255, Math.max(0, (value - voi.lower) * scale));
      let red = grey;
      let green = grey;
      let blue = grey;
      const l = lab[at];
      if (l > 0) {
        const edge = outlineOn[l] === 1 && (lab[at - 1] !== l || lab[at + 1] !== l || lab[at - lw] !== l || lab[at + lw] !== l);
        const a = edge ? look.outlineAlpha : fill[4 * l + 3] / 255;
        red += (fill[4 * l] - grey) * a;
        green += (fill[4 * l + 1] - grey) * a;
        blue += (fill[4 * l + 2] - grey) * a;
      }
      out[o] = red;
      out[o + 1] = green;
      out[o + 2] = blue;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** The scan at a continuous index, interpolated between the 8 voxels around it (clamped at the grid's faces, as a texture is). */
function trilinear(scan: ArrayLike<number>, dims: V3, fi: number, fj: number, fk: number): number {
  const [nx, ny, nz] = dims;
  const ci = Math.min(Math.max(fi, 0), nx - 1);
  const cj = Math.min(Math.max(fj, 0), ny - 1);
  const ck = Math.min(Math.max(fk, 0), nz - 1);
  const i0 = Math.floor(ci);
  const j0 = Math.floor(cj);
  const k0 = Math.floor(ck);
  const i1 = Math.min(i0 + 1, nx - 1);
  const j1 = Math.min(j0 + 1, ny - 1);
  const k1 = Math.min(k0 + 1, nz - 1);
  const ti = ci - i0;
  const tj = cj - j0;
  const tk = ck - k0;
  const at = (i: number, j: number, k: number): number => scan[i + nx * (j + ny * k)];
  const row = (j: number, k: number): number => at(i0, j, k) + (at(i1, j, k) - at(i0, j, k)) * ti;
  const plane = (k: number): number => row(j0, k) + (row(j1, k) - row(j0, k)) * tj;
  return plane(k0) + (plane(k1) - plane(k0)) * tk;
}
