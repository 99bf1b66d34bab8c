import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { WebSocketRoute } from '@playwright/test';
import { test, expect, openPath, waitForVolume, viewportStats } from './fixtures';

type Hooks = { state(): { header: { dims: number[]; source: string } | null } };

/** An uncompressed NIfTI-1 int16 CT-like volume: air (-1000) around a soft-tissue ellipse (40), every slice alike. */
function writeCt(file: string, [nx, ny, nz]: [number, number, number]): void {
  const hdr = Buffer.alloc(352);
  hdr.writeInt32LE(348, 0);
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => hdr.writeInt16LE(d, 40 + 2 * i));
  hdr.writeInt16LE(4, 70); // int16
  hdr.writeInt16LE(16, 72);
  [1, 1, 1, 1.5, 1, 1, 1, 1].forEach((p, i) => hdr.writeFloatLE(p, 76 + 4 * i));
  hdr.writeFloatLE(352, 108);
  hdr.writeFloatLE(1, 112);
  hdr.writeInt16LE(1, 254); // sform
  [[-1, 0, 0, nx / 2], [0, -1, 0, ny / 2], [0, 0, 1.5, -nz * 0.75]].forEach((r, i) => r.forEach((v, j) => hdr.writeFloatLE(v, 280 + 16 * i + 4 * j)));
  hdr.write('n+1\0', 344, 'latin1');
  const slice = new Int16Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) slice[i + nx * j] = ((i - nx / 2) / (nx / 2.4)) ** 2 + ((j - ny / 2) / (ny / 3)) ** 2 < 1 ? 40 : -1000;
  const data = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) data.set(slice, k * nx * ny);
  writeFileSync(file, Buffer.concat([hdr, Buffer.from(data.buffer)]));
}

/**
 * Passes the app's API WebSocket through, except that the reply to the getVoxels request for the
 * bottom slab (kStart 0: the last slab the viewer asks for) and every message after it are held
 * until `release` is called. `held` resolves once that reply has reached the route.
 */
function holdLastSlab(): { handler: (ws: WebSocketRoute) => void; held: Promise<void>; release: () => void } {
  let heldId = -1;
  let holding = false;
  const queue: Array<string | Buffer> = [];
  let toPage: ((m: string | Buffer) => void) | null = null;
  let onHeld = (): void => {};
  const held = new Promise<void>((res) => (onHeld = res));
  return {
    held,
    handler: (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (typeof m === 'string') {
          const msg = JSON.parse(m) as { t?: string; id?: number; method?: string; payload?: { kStart?: number } };
          if (msg.t === 'req' && msg.method === 'getVoxels' && msg.payload?.kStart === 0) heldId = msg.id!;
        }
        server.send(m);
      });
      toPage = (m) => ws.send(m);
      server.onMessage((m) => {
        if (!holding && typeof m === 'string' && heldId >= 0 && (JSON.parse(m) as { id?: number }).id === heldId) {
          holding = true;
          onHeld();
        }
        if (holding) queue.push(m);
        else ws.send(m);
      });
    },
    release: () => {
      holding = false;
      for (const m of queue.splice(0)) toPage!(m);
    },
  };
}

test.describe('progressive open', () => {
  test('the first slice shows and the views scroll while the last slab is still on its way, under a progress bar', async ({ app: page, server }) => {
    // 256×256×200 int16 (25 MiB): the centre 4 slices, then two slabs of 98 slices; the bottom one is held.
    const file = path.join(server.workspace, 'progressive-ct.nii');
    writeCt(file, [256, 256, 200]);
    const hold = holdLastSlab();
    await page.routeWebSocket(/\/api\b/, hold.handler);
    await page.reload();
    await expect(page.getByRole('button', { name: 'Open…' })).toBeVisible();

    await openPath(page, file);
    await hold.held;
    // The slab with slices 0–97 has not reached the page: the volume is not open yet…
    expect(await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().header)).toBeNull();
    // …yet the views show the scan (the ellipse at the centre slices) …
    await expect.poll(async () => (await viewportStats(page, 'axial')).nonBlack, { timeout: 30_000 }).toBeGreaterThan(0.1);
    // …the progress bar says how much has arrived (centre + upper slab: 102 of 200 slices) …
    const bar = page.locator('.loading [role="progressbar"]');
    await expect(bar).toHaveAttribute('aria-valuenow', '51');
    await expect(page.locator('.loading')).toContainText('51%');
    // …and the views scroll: the axial view's slice number follows the mouse wheel.
    const label = page.locator('[data-view="axial"] .vlabel .muted');
    await expect(label).toHaveText(/^\d+\/200$/);
    const before = await label.textContent();
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3); // clear of the loading box
    for (let i = 0; i < 5; i++) {
      await page.mouse.wheel(0, 120);
      await page.waitForTimeout(100);
    }
    await expect(label).not.toHaveText(before!);

    hold.release();
    await waitForVolume(page, 'progressive-ct');
    expect((await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().header))!.dims).toEqual([256, 256, 200]);
    // Every slice arrived: the bottom slice shows the ellipse too.
    await page.evaluate(() => (window as unknown as { __med3d: { jumpToVoxel(ijk: number[]): void } }).__med3d.jumpToVoxel([128, 128, 0]));
    await expect(label).toHaveText(/^(1|200)\/200$/);
    await expect.poll(async () => (await viewportStats(page, 'axial')).nonBlack, { timeout: 30_000 }).toBeGreaterThan(0.1);
  });
});
