import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.MED3D_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared');
export const DATA_DIR = path.join(SHARED_DIR, 'data');
export const hasData = existsSync(path.join(DATA_DIR, 'manifest.json'));

export interface Server {
  url: string;
  workspace: string;
}

/**
 * Starts `node bin/med3d.mjs serve --port 0 --workspace <tmp>` and reads the URL line (with
 * its token) from stdout. One server per worker; tests reload pages against it.
 */
export async function startServer(workspace: string): Promise<{ url: string; proc: ChildProcess }> {
  const args = ['bin/med3d.mjs', 'serve', '--port', '0', '--workspace', workspace, '--no-engine'];
  if (hasData) args.push('--root', DATA_DIR);
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`med3d serve printed no URL in 120 s; stderr:\n${err}`)), 120_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`med3d serve exited with ${code}; stderr:\n${err}`));
    });
  });
  return { url, proc };
}

export const test = base.extend<{ app: Page }, { server: Server; workspaceName: string }>({
  /**
   * Specs that count cases, versions or verified cases set their own name with
   * `test.use({ workspaceName: '…' })`: Playwright then runs them in a worker of their own, with
   * a fresh server and workspace, whatever ran before them.
   */
  workspaceName: ['shared', { scope: 'worker', option: true }],
  server: [
    async ({ workspaceName }, use) => {
      const workspace = mkdtempSync(path.join(os.tmpdir(), `med3d-e2e-${workspaceName}-`));
      const { url, proc } = await startServer(workspace);
      await use({ url, workspace });
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      rmSync(workspace, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  app: async ({ page, server }, use) => {
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    await page.goto(`${server.url}&empty`);
    await expect(page.getByRole('button', { name: 'Open…' })).toBeVisible();
    await use(page);
  },
});
export { expect };

/** Opens a scan through the Open… dialog by typing its path, and waits for the three views. */
export async function openPath(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: 'Open…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Path').fill(file);
  await dialog.getByRole('button', { name: 'Open', exact: true }).click();
}

export async function waitForVolume(page: Page, source: string, timeout = 90_000): Promise<void> {
  await page.waitForFunction((src) => {
    const s = (window as unknown as { __med3d?: { state(): { header: { source: string } | null } } }).__med3d?.state();
    return !!s?.header && s.header.source.includes(src);
  }, source, { timeout });
  await expect(page.locator('.loading')).toHaveCount(0, { timeout });
}

/** Luminance statistics of a viewport screenshot, decoded in the page (no PNG library needed). */
export async function viewportStats(page: Page, view: string): Promise<{ mean: number; std: number; nonBlack: number; leftMean: number; rightMean: number }> {
  const png = await page.getByTestId(`viewport-${view}`).screenshot();
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let s = 0, s2 = 0, nb = 0, l = 0, r = 0, nl = 0, nr = 0;
    const n = c.width * c.height;
    for (let p = 0; p < n; p++) {
      const y = 0.299 * d[4 * p] + 0.587 * d[4 * p + 1] + 0.114 * d[4 * p + 2];
      s += y;
      s2 += y * y;
      if (y > 10) nb++;
      if (p % c.width < c.width / 2) { l += y; nl++; } else { r += y; nr++; }
    }
    const mean = s / n;
    return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)), nonBlack: nb / n, leftMean: l / nl, rightMean: r / nr };
  }, png.toString('base64'));
}
