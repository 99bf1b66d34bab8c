/**
 * Electron main process: thin glue around the shared Med3dService (everything testable lives
 * there and in ./menuTemplate, ./dialogs, ./appProtocol, ../server/ipcBinding).
 * Window: contextIsolation, sandbox, no nodeIntegration, CSP, app:// origin; navigation, new
 * windows and permission requests are refused. Engine work runs in the engine worker thread.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiDispatcher } from '../../common/api/dispatcher';
import type { AppInfo, MenuCommand } from '../../common/api/types';
import { bindIpc } from '../server/ipcBinding';
import { Med3dService } from '../server/Med3dService';
import { startEngineBackendInfo } from '../server/engineBackendInfo';
import { APP_ORIGIN, APP_SCHEME, serveAppRequest } from './appProtocol';
import { dialogSpec } from './dialogs';
import { menuTemplate, type MenuItemSpec } from './menuTemplate';

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const rendererDir = path.join(here, '..', 'renderer');
const preloadFile = path.join(here, '..', 'preload', 'index.cjs');
const devServer = process.env.ELECTRON_RENDERER_URL;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

let win: BrowserWindow | null = null;
let service: Med3dService | null = null;

function log(msg: string): void {
  process.stderr.write(`[med3d] ${msg}\n`);
}

function trustedUrl(u: string): boolean {
  return u.startsWith(`${APP_ORIGIN}/`) || (!!devServer && u.startsWith(devServer));
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
  service?.events.emit('menuCommand', p ? { command, path: p } : { command });
}

async function rebuildMenu(): Promise<void> {
  const recent = (await service?.listRecent()) ?? [];
  const purposeOf = { 'open-dicom': 'dicom-folder', 'open-nifti': 'nifti', 'open-workspace': 'workspace', 'import-weights': 'weights' } as const;
  const template = menuTemplate({
    choose: (command) => {
      void choosePath(purposeOf[command]).then(async (p) => {
        if (!p || !service) return;
        sendMenu(command, await service.guard.grant(p));
      });
    },
    send: (command) => sendMenu(command),
    recent: recent.slice(0, 10).map((r) => ({
      label: r.path,
      open: () => {
        void service?.guard.grant(r.path).then((p) => sendMenu(r.kind === 'workspace' ? 'open-workspace' : r.kind === 'weights' ? 'import-weights' : r.kind === 'dicom' ? 'open-dicom' : 'open-nifti', p));
      },
    })),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template as MenuItemSpec[] as MenuItemConstructorOptions[]));
}

async function createService(): Promise<Med3dService> {
  const userData = app.getPath('userData');
  const fileArg = process.argv.slice(app.isPackaged ? 1 : 2).find((a) => !a.startsWith('-') && existsSync(a));
  let initialOpen: AppInfo['initialOpen'] = { kind: 'demo' };
  const roots: string[] = [];
  if (fileArg) {
    const abs = path.resolve(fileArg);
    roots.push(abs); // given on the command line by the user: as good as a dialog choice
    initialOpen = { kind: 'path', path: abs };
  }
  const svc = await Med3dService.create({
    mode: 'electron',
    version: app.getVersion(),
    workspace: process.env.MED3D_WORKSPACE ?? path.join(app.getPath('documents'), 'Med3D Workspace'),
    roots,
    configDir: userData,
    initialOpen,
    backendInfo: startEngineBackendInfo(log),
    dialogs: { choose: choosePath },
    tasksDir: path.join(here, 'tasks'),
    engineWorkerEntry: path.join(here, 'engineWorkerMain.js'),
    log,
  });
  // Recent files also go to the OS (jump lists, dock menu); rebuild our menu when they change.
  svc.events.on('workspaceChanged', () => void rebuildMenu());
  return svc;
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
  w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Dropping a file on the window must not navigate away from the app.
  w.webContents.on('will-navigate', (e, url) => {
    if (!trustedUrl(url)) e.preventDefault();
  });
  void w.loadURL(devServer ?? `${APP_ORIGIN}/index.html`);
  return w;
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle(APP_SCHEME, (req) => serveAppRequest(rendererDir, req.url));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.on('will-download', (e) => e.preventDefault());
  service = await createService();
  const svc = service;
  const binding = bindIpc({
    ipcMain,
    dispatch: createApiDispatcher(svc, { onError: (m, e) => log(`${m} failed: ${(e as Error).stack ?? String(e)}`) }),
    events: svc.events,
    isTrustedSender: trustedUrl,
    // Paths the preload resolved from real dropped File objects: the user chose them.
    onGrantPaths: async (paths) => Promise.all(paths.map((p) => svc.guard.grant(p))),
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
    void svc.dispose();
  });
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

main().catch((err: unknown) => {
  dialog.showErrorBox('Med3D Workstation could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});
