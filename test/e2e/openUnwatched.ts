import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

/** Open → first slice drawn and → every slice in with the three views rendered, in ms, and the app's own phases of it (SessionController's __med3dTiming). */
export interface OpenFigures {
  firstSliceMs: number;
  openMs: number;
  phases: { shownMs: number; streamMs: number; totalMs: number } | null;
}

/**
 * Measures opening a scan in a Chromium that no DevTools client watches: started here with the
 * same flags as Playwright's (Debian Chromium, SwiftShader WebGL, same window size) and driven by
 * one script evaluated in the page over a bare CDP connection (Runtime only).
 *
 * Why not Playwright's page: Playwright enables the DevTools network domain on every page, and
 * Chromium then copies each WebSocket frame to the client, base64-encoded (Network.
 * webSocketFrameReceived). For the 144 MiB of a 512×512×300 CT that costs the page seconds of
 * main-thread time and the 2-core machine the client's decoding: measured here, 2026-11-30, load ~5:
 * getVoxels of 288 slices in 16–48 MiB slabs took 3.1–4.6 s in a Playwright page and 0.7–0.85 s in
 * this unwatched one. A user's browser or Electron window has no such client.
 *
 * The clock starts when the file dialog's Open button is clicked (the path already typed) and the
 * page itself watches (no polling from outside): the first slice counts as shown when a frame
 * cornerstone copies into the axial view's canvas leaves non-black pixels there, the open as done
 * at the first animation frame where the volume is the app's current one and the loading
 * indicator is gone.
 */
export async function openUnwatched(pageUrl: string, file: string, name: string, timeoutMs = 300_000): Promise<OpenFigures> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'med3d-unwatched-'));
  const chrome = spawn(
    process.env.PLAYWRIGHT_CHROMIUM ?? '/usr/bin/chromium',
    ['--headless=new', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1400,900', '--no-first-run', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-precise-memory-info', pageUrl],
    { stdio: 'ignore' },
  );
  try {
    const portFile = path.join(profile, 'DevToolsActivePort');
    const t = Date.now();
    while (!existsSync(portFile) || !readFileSync(portFile, 'utf8').includes('\n')) {
      if (Date.now() - t > 30_000) throw new Error('Chromium wrote no DevToolsActivePort in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const port = readFileSync(portFile, 'utf8').split('\n')[0];
    type Target = { type: string; url: string; webSocketDebuggerUrl: string };
    let target: Target | undefined;
    while (!target) {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Target[];
      target = list.find((x) => x.type === 'page' && x.url.startsWith(pageUrl.split('?')[0]));
      if (!target) await new Promise((r) => setTimeout(r, 100));
    }
    const ws = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 2 ** 26 });
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    type Reply = { result?: { result?: { value?: unknown }; exceptionDetails?: { exception?: { description?: string } } }; error?: { message: string } };
    const waiting = new Map<number, (r: Reply) => void>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Reply & { id?: number };
      if (m.id !== undefined) waiting.get(m.id)?.(m);
    });
    let nextId = 0;
    const evaluate = (expression: string): Promise<Reply> =>
      new Promise((res) => {
        const id = ++nextId;
        waiting.set(id, res);
        ws.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, awaitPromise: true, returnByValue: true } }));
      });
    // The app is up once its test hooks are (the page may still be committing its navigation).
    while ((await evaluate(`document.readyState === 'complete' && !!window.__med3d`)).result?.result?.value !== true) await new Promise((r) => setTimeout(r, 100));
    const reply = await evaluate(`(${inPage.toString()})(${axialCanvasDrawn.toString()}, ${JSON.stringify(file)}, ${JSON.stringify(name)}, ${timeoutMs})`);
    ws.close();
    const value = reply.result?.result?.value;
    if (typeof value !== 'string') throw new Error(`unwatched open of ${file} failed: ${reply.error?.message ?? reply.result?.exceptionDetails?.exception?.description ?? 'no result'}`);
    return JSON.parse(value) as OpenFigures;
  } finally {
    chrome.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * In the page: whether the axial view shows a scan (its 2D canvas, into which cornerstone copies
 * each rendered frame, holds non-black pixels; the page starts empty, so it is black until the new
 * scan is drawn). Reads nine rows across the middle of the view, not the whole canvas: checked
 * every frame, a whole 570×400 read took a quarter of a second of the page's time while it was
 * drawing the first slice. Self-contained: it is passed to the page as source.
 */
export function axialCanvasDrawn(): boolean {
  const c = document.querySelector('[data-testid="viewport-axial"] canvas') as HTMLCanvasElement | null;
  const ctx = c?.getContext('2d');
  if (!c || !ctx || !c.width || !c.height) return false;
  for (let r = 1; r <= 9; r++) {
    const d = ctx.getImageData(0, Math.floor((c.height * (r + 0.5)) / 11), c.width, 1).data;
    for (let p = 0; p < d.length; p += 4) if (d[p] + d[p + 1] + d[p + 2] > 30) return true;
  }
  return false;
}

/** Runs in the page (serialised with toString: self-contained). Resolves to OpenFigures as JSON. */
async function inPage(drawn: () => boolean, file: string, name: string, timeoutMs: number): Promise<string> {
  const frame = (): Promise<number> => new Promise((res) => requestAnimationFrame(res));
  const until = async <T>(what: string, f: () => T | null | undefined | false): Promise<T> => {
    const t = performance.now();
    for (;;) {
      const v = f();
      if (v) return v;
      if (performance.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await frame();
    }
  };
  const button = (root: ParentNode, text: string): HTMLButtonElement | undefined => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  await until('the Open… button', () => button(document, 'Open…')).then((b) => b.click());
  const dialog = await until('the file dialog', () => document.querySelector('[role="dialog"]'));
  const input = dialog.querySelector('input[aria-label="Path"]') as HTMLInputElement;
  input.value = file;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await frame();
  // cornerstone copies each rendered frame into the view's canvas (drawImage), inside an animation
  // frame callback, so the browser paints it in that same frame. Watching those copies times the
  // first visible slice exactly; a check at the next animation frame came late whenever the page
  // went on with a long task right after the paint (the segmentation set-up: ~0.5 s here).
  const proto = CanvasRenderingContext2D.prototype;
  const copy = proto.drawImage;
  let firstDrawn = 0;
  proto.drawImage = function (this: CanvasRenderingContext2D, ...a: unknown[]) {
    (copy as (...x: unknown[]) => void).apply(this, a);
    if (!firstDrawn && this.canvas.closest('[data-testid="viewport-axial"]') && drawn()) firstDrawn = performance.now();
  } as typeof copy;
  const t0 = performance.now();
  button(dialog, 'Open')!.click();
  try {
    await until('the first slice', () => firstDrawn);
  } finally {
    proto.drawImage = copy;
  }
  const firstSliceMs = Math.round(firstDrawn - t0);
  type Hooks = { state(): { header: { source: string } | null } };
  await until('every slice in', () => (window as unknown as { __med3d?: Hooks }).__med3d?.state().header?.source.includes(name) && !document.querySelector('.loading'));
  const openMs = Math.round(performance.now() - t0);
  return JSON.stringify({ firstSliceMs, openMs, phases: (window as unknown as { __med3dTiming?: unknown }).__med3dTiming ?? null });
}
