/**
 * The Electron main process with a fake 'electron' module: checks the window's security
 * settings, the IPC surface, navigation/permission refusals and the menu wiring without the
 * Electron binary (which cannot be installed here).
 */
import { describe, it, expect, vi, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface FakeWindow {
  opts: { webPreferences: Record<string, unknown> };
  url: string | null;
  handlers: Record<string, (...a: unknown[]) => void>;
  openHandler: ((d: unknown) => unknown) | null;
  sent: Array<[string, unknown]>;
}

const state = vi.hoisted(() => ({
  windows: [] as FakeWindow[],
  ipc: new Map<string, (e: unknown, p: unknown) => unknown>(),
  menu: null as unknown,
  schemes: [] as unknown[],
  protocolHandler: null as ((req: { url: string }) => Promise<Response>) | null,
  permission: null as ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void) | null,
  permissionCheck: null as ((wc: unknown, perm: string, origin: string) => boolean) | null,
  devicePermission: null as ((details: unknown) => boolean) | null,
  sessionEvents: new Map<string, (e: { preventDefault(): void }) => void>(),
  appEvents: new Map<string, (...a: unknown[]) => void>(),
  sandboxAll: false,
  dir: '',
  ready: null as null | (() => void),
}));

vi.mock('electron', () => {
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    w: FakeWindow;
    webContents: Record<string, unknown>;
    constructor(opts: FakeWindow['opts']) {
      this.w = { opts, url: null, handlers: {}, openHandler: null, sent: [] };
      state.windows.push(this.w);
      const w = this.w;
      this.webContents = {
        setWindowOpenHandler: (fn: (d: unknown) => unknown) => (w.openHandler = fn),
        on: (ev: string, fn: (...a: unknown[]) => void) => (w.handlers[ev] = fn),
        send: (ch: string, p: unknown) => w.sent.push([ch, p]),
        isDestroyed: () => false,
      };
      BrowserWindow.all.push(this);
    }
    once(): void {}
    show(): void {}
    loadURL(u: string): Promise<void> {
      this.w.url = u;
      return Promise.resolve();
    }
    static getAllWindows(): BrowserWindow[] {
      return BrowserWindow.all;
    }
  }
  return {
    BrowserWindow,
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (state.menu = m) },
    app: {
      whenReady: () => Promise.resolve(),
      enableSandbox: () => (state.sandboxAll = true),
      getPath: (n: string) => path.join(state.dir, n),
      getVersion: () => '9.9.9',
      isPackaged: false,
      on: (ev: string, fn: (...a: unknown[]) => void) => state.appEvents.set(ev, fn),
      quit: () => undefined,
      exit: () => undefined,
    },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }), showErrorBox: (t: string, m: string) => console.error(t, m) },
    ipcMain: { handle: (ch: string, fn: (e: unknown, p: unknown) => unknown) => state.ipc.set(ch, fn), removeHandler: (ch: string) => state.ipc.delete(ch) },
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => state.schemes.push(...s), handle: (_s: string, fn: (req: { url: string }) => Promise<Response>) => (state.protocolHandler = fn) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: typeof state.permission) => (state.permission = fn),
        setPermissionCheckHandler: (fn: typeof state.permissionCheck) => (state.permissionCheck = fn),
        setDevicePermissionHandler: (fn: typeof state.devicePermission) => (state.devicePermission = fn),
        on: (ev: string, fn: (e: { preventDefault(): void }) => void) => state.sessionEvents.set(ev, fn),
      },
    },
  };
});

let prevWs: string | undefined;
beforeAll(async () => {
  state.dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-electron-')));
  prevWs = process.env.MED3D_WORKSPACE;
  process.env.MED3D_WORKSPACE = path.join(state.dir, 'ws');
  await import('./index');
  for (let i = 0; i < 200 && state.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
});
afterAll(async () => {
  if (prevWs === undefined) delete process.env.MED3D_WORKSPACE;
  else process.env.MED3D_WORKSPACE = prevWs;
  await rm(state.dir, { recursive: true, force: true });
});

describe('Electron main process (fake electron)', () => {
  it('opens one window with contextIsolation, sandbox and no nodeIntegration, on app://med3d', () => {
    expect(state.windows).toHaveLength(1);
    const wp = state.windows[0].opts.webPreferences;
    expect(wp).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(state.sandboxAll).toBe(true);
    expect(String(wp.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(state.windows[0].url).toBe('app://med3d/index.html');
    expect(state.schemes).toEqual([expect.objectContaining({ scheme: 'app' })]);
  });

  it('refuses new windows, foreign navigation and every permission request', () => {
    const w = state.windows[0];
    expect(w.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = false;
    w.handlers['will-navigate']({ preventDefault: () => (prevented = true) }, 'file:///etc/passwd');
    expect(prevented).toBe(true);
    let granted: boolean | null = null;
    state.permission?.(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
  });

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'])('%s: only the app origin passes', (event) => {
    const handler = state.windows[0].handlers[event];
    expect(handler).toBeTypeOf('function');
    const outcome = (url: string): boolean => {
      let prevented = false;
      handler({ url, preventDefault: () => (prevented = true) });
      return !prevented;
    };
    expect(outcome('app://med3d/index.html')).toBe(true);
    for (const url of ['https://evil.example/', 'app://evil/index.html', 'file:///etc/passwd', 'app://med3d.evil.example/', 'not a url']) expect(outcome(url)).toBe(false);
  });

  it('guards every other web contents the app creates the same way', () => {
    const handlers: Record<string, (e: { url?: string; preventDefault(): void }) => void> = {};
    const opened: { handler?: () => unknown } = {};
    const contents = { on: (ev: string, fn: (e: { url?: string; preventDefault(): void }) => void) => (handlers[ev] = fn), setWindowOpenHandler: (fn: () => unknown) => (opened.handler = fn) };
    state.appEvents.get('web-contents-created')?.({}, contents);
    let prevented = false;
    handlers['will-frame-navigate']?.({ url: 'https://evil.example/', preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(opened.handler?.()).toEqual({ action: 'deny' });
  });

  it('denies permission checks, device permissions, webviews and downloads', () => {
    expect(state.permissionCheck?.(null, 'clipboard-read', 'app://med3d')).toBe(false);
    expect(state.permissionCheck?.(null, 'hid', 'app://med3d')).toBe(false);
    expect(state.devicePermission?.({ deviceType: 'usb', origin: 'app://med3d' })).toBe(false);
    for (const ev of ['will-attach-webview']) {
      let prevented = false;
      state.windows[0].handlers[ev]({ preventDefault: () => (prevented = true) });
      expect(prevented).toBe(true);
    }
    let cancelled = false;
    state.sessionEvents.get('will-download')?.({ preventDefault: () => (cancelled = true) });
    expect(cancelled).toBe(true);
  });

  it('exposes the API on med3d: channels, validated, and only to the app origin', async () => {
    expect(state.ipc.size).toBeGreaterThan(30);
    expect([...state.ipc.keys()].every((c) => c.startsWith('med3d:'))).toBe(true);
    const info = (await state.ipc.get('med3d:getAppInfo')?.({ senderFrame: { url: 'app://med3d/index.html' } }, undefined)) as { ok: boolean; result: { mode: string; nativeDialogs: boolean; version: string } };
    expect(info).toMatchObject({ ok: true, result: { mode: 'electron', nativeDialogs: true, version: '9.9.9' } });
    const evil = (await state.ipc.get('med3d:getAppInfo')?.({ senderFrame: { url: 'https://evil.example/' } }, undefined)) as { ok: boolean };
    expect(evil.ok).toBe(false);
    const bad = (await state.ipc.get('med3d:openVolume')?.({ senderFrame: { url: 'app://med3d/' } }, { kind: 'path', path: '/etc/passwd' })) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'forbidden-path' } });
  });

  it('serves the renderer through the app protocol with a CSP', async () => {
    const r = await state.protocolHandler?.({ url: 'app://med3d/../../../etc/passwd' });
    expect(r?.status).toBe(404);
  });

  it('builds the native menu; Undo/Redo go to the renderer as menuCommand events', () => {
    const menu = state.menu as Array<{ label?: string; submenu?: Array<{ label?: string; click?: () => void }> }>;
    const edit = menu.find((m) => m.label === 'Edit');
    edit?.submenu?.find((i) => i.label === 'Undo')?.click?.();
    expect(state.windows[0].sent).toContainEqual(['med3d:event:menuCommand', { command: 'undo' }]);
    const file = menu.find((m) => m.label === 'File');
    expect(file?.submenu?.map((i) => i.label)).toEqual(expect.arrayContaining(['Open DICOM Folder…', 'Open NIfTI…', 'Open Workspace…', 'Import Weights…', 'Export Mask…']));
  });
});
