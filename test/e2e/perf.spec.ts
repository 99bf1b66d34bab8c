import path from 'node:path';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, openPath, waitForVolume, hasData, DATA_DIR, REPO_ROOT } from './fixtures';

/**
 * UI figures for the closing note (not a test of speed: it prints numbers). Run with
 * `npm run bench:ui` (MED3D_PERF=1). Measures, in web mode on Debian Chromium:
 * time from "Open" to the three views rendered, brush stroke latency (mouse move → labels
 * written → next frame) and renderer JS heap vs volume size.
 */
const enabled = process.env.MED3D_PERF === '1';

/** Writes an uncompressed NIfTI-1 int16 CT-like volume (body ellipse, lungs, noise). */
function writeSyntheticCt(file: string, nx: number, ny: number, nz: number): void {
  const hdr = Buffer.alloc(352);
  hdr.writeInt32LE(348, 0);
  const dim = [3, nx, ny, nz, 1, 1, 1, 1];
  dim.forEach((d, i) => hdr.writeInt16LE(d, 40 + 2 * i));
  hdr.writeInt16LE(4, 70); // datatype int16
  hdr.writeInt16LE(16, 72);
  [1, 0.7, 0.7, 1, 1, 1, 1, 1].forEach((p, i) => hdr.writeFloatLE(p, 76 + 4 * i));
  hdr.writeFloatLE(352, 108); // vox_offset
  hdr.writeFloatLE(1, 112); // scl_slope
  hdr.writeInt16LE(1, 254); // sform_code
  const srow = [[-0.7, 0, 0, 179], [0, -0.7, 0, 179], [0, 0, 1, -150]];
  srow.forEach((r, i) => r.forEach((v, j) => hdr.writeFloatLE(v, 280 + 16 * i + 4 * j)));
  hdr.write('n+1\0', 344, 'latin1');
  const data = new Int16Array(nx * ny * nz);
  let seed = 1;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = (i - nx / 2) / (nx / 2.4);
        const y = (j - ny / 2) / (ny / 3.2);
        let v = -1000;
        if (x * x + y * y < 1) v = 40;
        if ((Math.abs(x) - 0.45) ** 2 / 0.09 + y * y / 0.5 < 1) v = -850;
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        data[i + nx * (j + ny * k)] = v + ((seed >> 16) % 41) - 20;
      }
  writeFileSync(file, Buffer.concat([hdr, Buffer.from(data.buffer)]));
}

async function measureOpen(page: Page, file: string, name: string): Promise<number> {
  const t0 = Date.now();
  await openPath(page, file);
  await waitForVolume(page, name, 400_000);
  return Date.now() - t0;
}

async function strokeLatency(page: Page): Promise<{ meanMs: number; p95Ms: number }> {
  await page.getByRole('button', { name: 'Brush', exact: true }).click();
  return page.evaluate(async () => {
    const el = document.querySelector('[data-testid="viewport-axial"]') as HTMLElement;
    const r = el.getBoundingClientRect();
    const at = (f: number): MouseEventInit => ({ clientX: r.left + r.width * (0.3 + 0.4 * f), clientY: r.top + r.height * (0.45 + 0.1 * f), bubbles: true, button: 0, buttons: 1 });
    el.dispatchEvent(new MouseEvent('mousedown', at(0)));
    const times: number[] = [];
    for (let s = 1; s <= 40; s++) {
      const t = performance.now();
      el.dispatchEvent(new MouseEvent('mousemove', at(s / 40)));
      await new Promise((res) => requestAnimationFrame(() => res(null)));
      times.push(performance.now() - t);
    }
    window.dispatchEvent(new MouseEvent('mouseup', at(1)));
    times.sort((a, b) => a - b);
    return { meanMs: times.reduce((a, b) => a + b, 0) / times.length, p95Ms: times[Math.floor(times.length * 0.95)] };
  });
}

async function heapMb(page: Page): Promise<number> {
  return page.evaluate(() => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20);
}

test.describe('UI performance figures', () => {
  test.skip(!enabled, 'figures are measured by `npm run bench:ui` (MED3D_PERF=1)');
  test.skip(!hasData, `../shared/data not found (${DATA_DIR})`);

  test('open, stroke and memory figures', async ({ app: page, server }) => {
    test.setTimeout(900_000);
    page.on('dialog', (d) => void d.accept());
    const rows: string[] = [];
    const synthDir = path.join(server.workspace, 'bench');
    mkdirSync(synthDir, { recursive: true });
    const synth = path.join(synthDir, 'synthetic-512x512x300.nii');
    if (!existsSync(synth)) writeSyntheticCt(synth, 512, 512, 300);
    const inputs: Array<[string, string, number]> = [
      [path.join(DATA_DIR, 'series/dcm_qa_ct_Philips_tilt'), 'dcm_qa_ct_Philips_tilt', 0],
      [synth, 'synthetic-512x512x300', 512 * 512 * 300 * 2],
    ];
    for (const [file, name] of inputs) {
      const base = await heapMb(page);
      const ms = await measureOpen(page, file, name);
      const dims = await page.evaluate(() => (window as unknown as { __med3d: { state(): { header: { dims: number[] } } } }).__med3d.state().header.dims);
      const stroke = await strokeLatency(page);
      const heap = await heapMb(page);
      const voxMb = (dims[0] * dims[1] * dims[2] * 3) / 2 ** 20; // int16 scan + uint8 labels
      rows.push(`${name} ${dims.join('x')}: open→3 views rendered ${ms} ms; stroke latency mean ${stroke.meanMs.toFixed(1)} ms p95 ${stroke.p95Ms.toFixed(1)} ms; JS heap ${heap.toFixed(0)} MB (before open ${base.toFixed(0)} MB; scan+labels ${voxMb.toFixed(0)} MB)`);
      await page.goto(`${server.url}&empty`);
    }
    const out = rows.join('\n');
    console.log(`\nUI figures (web mode, Debian Chromium, SwiftShader WebGL):\n${out}\n`);
    writeFileSync(path.join(REPO_ROOT, 'test-results', 'ui-figures.txt'), `${out}\n`);
    expect(rows.length).toBe(2);
  });
});
