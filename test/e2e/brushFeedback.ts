import path from 'node:path';
import type { Page } from '@playwright/test';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { expect, openPath, waitForVolume, type Server } from './fixtures';

type Hooks = {
  labelCounts(): Record<string, number>;
  clientAtVoxel(view: string, ijk: [number, number, number]): [number, number] | null;
};

const DIMS: [number, number, number] = [64, 64, 16];
const AFFINE = Float64Array.from([1, 0, 0, -32, 0, 1, 0, -32, 0, 0, 2, -16, 0, 0, 0, 1]);

/** What one stroke showed: per move, the pixels at the pointer one animation frame after it; then after cornerstone's redraw. */
interface StrokeSeen {
  /** RGBA at each move's pointer, read in the first animation frame after the move. */
  afterOneFrame: number[][];
  /** Cornerstone renders of the axial view between mousedown and mouseup. */
  rendersDuringMoves: number;
  /** Whether cornerstone re-rendered the axial view after mouseup. */
  redrawn: boolean;
  /** RGBA at each move's pointer after that redraw. */
  afterRedraw: number[][];
}

/**
 * Drags the selected tool through `points` (client pixels) with one mouse move per animation
 * frame, as a browser delivers a drag, reading the axial canvas under the pointer after each.
 */
async function strokeThrough(page: Page, points: Array<[number, number]>): Promise<StrokeSeen> {
  return page.evaluate(async (pts) => {
    const el = document.querySelector('[data-testid="viewport-axial"]') as HTMLElement;
    const canvas = el.querySelector('canvas') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const pixel = ([x, y]: [number, number]): number[] => {
      const c = canvas.getBoundingClientRect();
      return Array.from(ctx.getImageData(Math.floor(((x - c.left) * canvas.width) / c.width), Math.floor(((y - c.top) * canvas.height) / c.height), 1, 1).data);
    };
    const at = ([x, y]: [number, number]): MouseEventInit => ({ clientX: x, clientY: y, bubbles: true, button: 0, buttons: 1 });
    const frame = (): Promise<void> => new Promise((res) => requestAnimationFrame(() => res()));
    // Let renders already asked for (a tool switch, the previous stroke's redraw) happen first.
    await new Promise((res) => setTimeout(res, 300));
    await frame();
    await frame();
    let renders = 0;
    const count = (): void => void renders++;
    el.addEventListener('CORNERSTONE_IMAGE_RENDERED', count);
    el.dispatchEvent(new MouseEvent('mousedown', at(pts[0])));
    const afterOneFrame: number[][] = [];
    for (const p of pts.slice(1)) {
      el.dispatchEvent(new MouseEvent('mousemove', at(p)));
      await frame();
      afterOneFrame.push(pixel(p));
    }
    el.removeEventListener('CORNERSTONE_IMAGE_RENDERED', count);
    const redrawn = new Promise<boolean>((res) => {
      el.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => res(true), { once: true });
      setTimeout(() => res(false), 20_000);
    });
    window.dispatchEvent(new MouseEvent('mouseup', at(pts[pts.length - 1])));
    const wasRedrawn = await redrawn;
    return { afterOneFrame, rendersDuringMoves: renders, redrawn: wasRedrawn, afterRedraw: pts.slice(1).map(pixel) };
  }, points);
}

/** Label 1 (red) blended over the grey scan: red clearly above blue. */
const labelled = (p: number[]): boolean => p[0] - p[2] > 30;
/** The scan alone: grey, as it was before the stroke (within a few levels: the preview interpolates in its own arithmetic). */
const scanLike = (p: number[], before: number[]): boolean => Math.abs(p[0] - p[2]) <= 3 && Math.abs(p[0] - before[0]) <= 12;

/**
 * Paints a stroke with the brush across a uniform box, then erases it along the same path, and
 * checks what the axial view showed (see the test titles). `camera`: 'zoomed' zooms in and pans
 * the view first (cornerstone's Zoom and Pan tools), so the preview's canvas mapping is exercised
 * away from the default camera.
 */
export async function checkBrushFeedback(page: Page, server: Server, camera: 'default' | 'zoomed'): Promise<void> {
  // A uniform soft-tissue box (40 HU) in air: every pixel on the path has the same grey before painting.
  const file = path.join(server.workspace, 'incoming', 'stroke-preview.nii.gz');
  const data = new Int16Array(DIMS[0] * DIMS[1] * DIMS[2]).fill(-1000);
  for (let k = 0; k < DIMS[2]; k++) for (let j = 8; j < 56; j++) for (let i = 8; i < 56; i++) data[i + DIMS[0] * (j + DIMS[1] * k)] = 40;
  await writeNifti(file, { data, dims: DIMS, spacing: [1, 1, 2], affine: AFFINE, meta: { warnings: [] } });
  await openPath(page, file);
  await waitForVolume(page, 'stroke-preview');
  const span = (): Promise<number> =>
    page.evaluate((kk) => {
      const h = (window as unknown as { __med3d: Hooks }).__med3d;
      const a = h.clientAtVoxel('axial', [16, 32, kk])!;
      const b = h.clientAtVoxel('axial', [46, 32, kk])!;
      return Math.hypot(a[0] - b[0], a[1] - b[1]);
    }, DIMS[2] / 2);
  const spanBefore = await span();
  if (camera === 'zoomed') {
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'right' }); // Zoom tool
    await page.mouse.move(cx, cy + 60, { steps: 6 });
    await page.mouse.up({ button: 'right' });
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' }); // Pan tool
    await page.mouse.move(cx + 40, cy + 25, { steps: 4 });
    await page.mouse.up({ button: 'middle' });
    expect(await span()).toBeGreaterThan(spanBefore * 1.3);
  }

  const k = DIMS[2] / 2;
  const points = await page.evaluate((kk) => {
    const h = (window as unknown as { __med3d: Hooks }).__med3d;
    const out: Array<[number, number]> = [];
    for (let s = 0; s <= 12; s++) out.push(h.clientAtVoxel('axial', [16 + 2.5 * s, 24 + s, kk])!);
    return out;
  }, k);
  const before = await page.evaluate((pts) => {
    const canvas = document.querySelector('[data-testid="viewport-axial"] canvas') as HTMLCanvasElement;
    const c = canvas.getBoundingClientRect();
    return pts.slice(1).map(([x, y]) => Array.from(canvas.getContext('2d')!.getImageData(Math.floor(((x - c.left) * canvas.width) / c.width), Math.floor(((y - c.top) * canvas.height) / c.height), 1, 1).data));
  }, points);
  for (const p of before) expect(labelled(p)).toBe(false);

  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  await page.getByLabel('Brush diameter (mm)').fill('6');
  const paint = await strokeThrough(page, points);
  expect(paint.rendersDuringMoves).toBe(0); // what showed was the preview, not a cornerstone render
  paint.afterOneFrame.forEach((p, n) => expect(labelled(p), `move ${n + 1}: ${p}`).toBe(true));
  expect(paint.redrawn).toBe(true);
  paint.afterRedraw.forEach((p, n) => expect(labelled(p), `move ${n + 1} after the redraw: ${p}`).toBe(true));
  // No visible jump when the redraw replaces the preview: the same colour, within a few levels.
  paint.afterRedraw.forEach((p, n) => expect(Math.max(...[0, 1, 2].map((c) => Math.abs(p[c] - paint.afterOneFrame[n][c]))), `move ${n + 1}: preview ${paint.afterOneFrame[n]}, render ${p}`).toBeLessThanOrEqual(6));
  const painted = (await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.labelCounts()))[1];
  expect(painted).toBeGreaterThan(100);

  await page.getByRole('button', { name: 'Eraser', exact: true }).click();
  const erase = await strokeThrough(page, points);
  expect(erase.rendersDuringMoves).toBe(0);
  erase.afterOneFrame.forEach((p, n) => expect(scanLike(p, before[n]), `erase move ${n + 1}: ${p} (scan ${before[n]})`).toBe(true));
  expect(erase.redrawn).toBe(true);
  erase.afterRedraw.forEach((p, n) => expect(scanLike(p, before[n]), `erase move ${n + 1} after the redraw: ${p} (scan ${before[n]})`).toBe(true));
  expect((await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.labelCounts()))[1] ?? 0).toBe(0);
}
