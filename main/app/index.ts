/**
 * Electron main process: thin glue. The shared Med3dService runs in a worker thread
 * (../server/ServiceHostClient: scan decoding, phantom generation, weights parsing never touch
 * this event loop) and engine work in the engine worker; everything testable lives in
 * ./menuTemplate, ./dialogs, ./appProtocol, ../server/ipcBinding and the service.
 * Window: contextIsolation, sandbox, no nodeIntegration, CSP, app:// origin; navigation (pages,
 * redirects, frames), new windows, webviews, permission requests and checks, device access and
 * downloads are refused (./securityPolicy, ./trustedUrl).
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppInfo, MenuCommand, RecentItem } from '../../common/api/types';
import { bindIpc } from '../server/ipcBinding';
import { ServiceHostClient } from '../server/ServiceHostClient';
import { APP_ORIGIN, APP_SCHEME, serveAppRequest } from './appProtocol';
import { dialogSpec } from './dialogs';
import { menuTemplate, type MenuItemSpec } from './menuTemplate';
import { denyPermissions, guardNavigation } from './securityPolicy';
import { isTrustedUrl } from './trustedUrl';

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const rendererDir = path.join(here, '..', 'renderer');
const preloadFile = path.join(here, '..', 'preload', 'index.cjs');
const devServer = process.env.ELECTRON_RENDERER_URL;

// Every renderer sandboxed, not only the windows that ask for it (must precede 'ready').
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

let win: BrowserWindow | null = null;
let host: ServiceHostClient | null = null;

function log(msg: string): void {
  process.stderr.write(`[med3d] ${msg}\n`);
}

function trustedUrl(u: string): boolean {
  return isTrustedUrl(u, devServer);
}

async function choosePath(purpose: Parameters<typeof dialogSpec>[0]): Promise<string | null> {
  const spec = dialogSpec(purpose);
  const parent = win ?? undefined;
  if (spec.kind === 'save') {
    const r = parent ? await dialog.showSaveDialog(parent, { title: spec.title, defaultPath: spec.defaultPath, filters: spec.filters }) : await dialog.showSaveDialog({ title: spec.title, defaultPath: spec.defaultPath, filters: spec.filters });
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  const o = { title: spec.title, properties: spec.properties, filters: spec.filters };
  const r = parent ? await dialog.showOpenDialog(parent, o) : await dialog.showOpenDialog(o);
  return r.canceled || !r.filePaths.length ? null : r.filePaths[0];
}

function sendMenu(command: MenuCommand, p?: string): void {
  host?.events.emit('menuCommand', p ? { command, path: p } : { command });
}

async function rebuildMenu(): Promise<void> {
  const env = host ? await host.dispatch('listRecent', undefined) : null;
  const recent = env?.ok ? (env.result as RecentItem[]) : [];
  const purposeOf = { 'open-dicom': 'dicom-folder', 'open-nifti': 'nifti', 'open-workspace': 'workspace', 'import-weights': 'weights' } as const;
  const template = menuTemplate({
    choose: (command) => {
      void choosePath(purposeOf[command]).then(async (p) => {
        if (!p || !host) return;
        sendMenu(command, await host.grant(p));
      });
    },
    send: (command) => sendMenu(command),
    recent: recent.slice(0, 10).map((r) => ({
      label: r.path,
      open: () => {
        void host?.grant(r.path).then((p) => sendMenu(r.kind === 'workspace' ? 'open-workspace' : r.kind === 'weights' ? 'import-weights' : r.kind === 'dicom' ? 'open-dicom' : 'open-nifti', p));
      },
    })),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as MenuItemSpec[] as MenuItemConstructorOptions[]));
}

async function createServiceHost(): Promise<ServiceHostClient> {
  const userData = app.getPath('userData');
  const fileArg = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-') && existsSync(a));
  let initialOpen: AppInfo['initialOpen'] = { kind: 'demo' };
  const roots: string[] = [];
  if (fileArg) {
    const abs = path.resolve(fileArg);
    roots.push(abs); // given on the command line by the user: as good as a dialog choice
    initialOpen = { kind: 'path', path: abs };
  }
  // Bundled build: out/main/serviceHost.js; from sources (tests): the tsx shim beside the service.
  const bundled = path.join(here, 'serviceHost.js');
  const entry = existsSync(bundled) ? bundled : new URL('../server/serviceHostEntry.mjs', import.meta.url);
  const h = new ServiceHostClient({
    entry,
    init: {
      mode: 'electron',
      version: app.getVersion(),
      workspace: process.env.MED3D_WORKSPACE ?? path.join(app.getPath('documents'), 'Med3D Workspace'),
      roots,
      configDir: userData,
      initialOpen,
      nativeDialogs: true,
      tasksDir: path.join(here, 'tasks'),
      engineWorkerEntry: path.join(here, 'engineWorkerMain.js'),
    },
    dialogs: { choose: choosePath },
    log,
  });
  await h.start();
  // Rebuild the menu (recent files) when the workspace changes.
  h.events.on('workspaceChanged', () => void rebuildMenu());
  return h;
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Med3D Workstation',
    show: false,
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  // Also keeps a file dropped on the window from navigating away from the app.
  guardNavigation(w.webContents, trustedUrl);
  void w.loadURL(devServer ?? `${APP_ORIGIN}/index.html`);
  return w;
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle(APP_SCHEME, (req) => serveAppRequest(rendererDir, req.url));
  denyPermissions(session.defaultSession);
  host = await createServiceHost();
  const h = host;
  const binding = bindIpc({
    ipcMain,
    dispatch: h.dispatch,
    events: h.events,
    isTrustedSender: trustedUrl,
    // Paths the preload resolved from real dropped File objects: the user chose them.
    onGrantPaths: async (paths) => Promise.all(paths.map((p) => h.grant(p))),
  });
  await rebuildMenu();
  win = createWindow();
  binding.attach(win.webContents);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) {
      win = createWindow();
      binding.attach(win.webContents);
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void h.dispose();
  });
}

// Every web contents, not only the main window's (defence in depth should another appear).
app.on('web-contents-created', (_e, contents) => guardNavigation(contents, trustedUrl));

main().catch((err: unknown) => {
  dialog.showErrorBox('Med3D Workstation could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});
