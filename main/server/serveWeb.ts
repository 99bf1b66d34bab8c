/**
 * Web mode as a function (the `med3d serve` command and tests call it): open the workspace,
 * create the service, start the token-guarded server on 127.0.0.1.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiEventHub } from '../../common/api/ApiEventHub';
import { createApiDispatcher, type ApiDispatch } from '../../common/api/dispatcher';
import type { AppInfo } from '../../common/api/types';
import { startEngineBackendInfo } from './engineBackendInfo';
import { Med3dService } from './Med3dService';
import { RENDERER_OUT, buildRenderer, rendererBuilt } from './rendererBuild';
import { ServiceHostClient, defaultServiceHostEntry } from './ServiceHostClient';
import { startWebServer, type WebServer } from './webServer';
import { resolveWsLimits, type WsLimits } from './wsLimits';

export interface ServeWebOptions {
  port?: number;
  workspace?: string;
  /** A scan to open first (NIfTI file or DICOM folder); default: the demo phantom. */
  open?: string;
  /**
   * Extra folders the browser may open files from and write exports/batch outputs to. The
   * working directory is not one unless listed here (`med3d serve --root .`).
   */
  roots?: string[];
  staticDir?: string;
  /** Build the renderer when missing (default true). */
  build?: boolean;
  token?: string;
  /** WebSocket size limits (default: resolveWsLimits() — flags, then environment, then defaults). */
  limits?: Partial<WsLimits>;
  version?: string;
  /** Start the engine backend ladder for the status line (default true). */
  engine?: boolean;
  /**
   * Run the service in a worker thread (default true) so the HTTP/WebSocket loop keeps serving
   * (assets, progress events, cancel) while a scan decodes or a phantom is generated.
   */
  inWorker?: boolean;
  log?: (msg: string) => void;
}

export function defaultWorkspaceDir(): string {
  return process.env.MED3D_WORKSPACE ?? path.join(os.homedir(), 'med3d-workspace');
}

export function defaultConfigDir(): string {
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'med3d');
}

export interface WebModeHandle {
  server: WebServer;
  /** Absolute workspace folder in use. */
  workspace: string;
  /** Folders the browser may read and write besides the workspace (the scan given with `open` included). */
  roots: string[];
  dispatch: ApiDispatch;
  events: ApiEventHub;
  /** The in-process service (only with inWorker: false). */
  service?: Med3dService;
  close(): Promise<void>;
}

export async function serveWeb(o: ServeWebOptions = {}): Promise<WebModeHandle> {
  const log = o.log ?? (() => undefined);
  const staticDir = o.staticDir ?? RENDERER_OUT;
  if (!rendererBuilt(staticDir) && (o.build ?? true) && staticDir === RENDERER_OUT) {
    try {
      await buildRenderer(log);
    } catch (err) {
      log(`warning: the renderer could not be built (${(err as Error).message.split('\n')[0]}); the API still runs`);
    }
  }
  const roots = (o.roots ?? []).map((r) => path.resolve(r));
  let initialOpen: AppInfo['initialOpen'] = { kind: 'demo' };
  if (o.open) {
    const file = path.resolve(o.open);
    const st = await fs.stat(file).catch(() => null);
    if (!st) throw new Error(`cannot open ${file}: no such file or folder`);
    roots.push(st.isDirectory() ? file : path.dirname(file));
    initialOpen = { kind: 'path', path: file };
  }
  const workspace = path.resolve(o.workspace ?? defaultWorkspaceDir());
  const version = o.version ?? '0.1.0';
  let dispatch: ApiDispatch;
  let events: ApiEventHub;
  let service: Med3dService | undefined;
  let stopService: () => Promise<void>;
  if (o.inWorker ?? true) {
    const host = new ServiceHostClient({
      entry: defaultServiceHostEntry(),
      init: { mode: 'web', version, workspace, roots, configDir: defaultConfigDir(), initialOpen, nativeDialogs: false, engineInfo: o.engine !== false },
      log,
    });
    await host.start();
    dispatch = host.dispatch;
    events = host.events;
    stopService = () => host.dispose();
  } else {
    service = await Med3dService.create({
      mode: 'web',
      version,
      workspace,
      roots,
      configDir: defaultConfigDir(),
      initialOpen,
      backendInfo: o.engine === false ? undefined : startEngineBackendInfo(log),
      log,
    });
    const svc = service;
    dispatch = createApiDispatcher(svc, { onError: (m, e) => log(`${m} failed: ${(e as Error).stack ?? String(e)}`) });
    events = svc.events;
    stopService = () => svc.dispose();
  }
  const server = await startWebServer({ dispatch, events, staticDir, port: o.port, token: o.token, limits: o.limits ?? resolveWsLimits(), log });
  return {
    server,
    workspace,
    roots,
    dispatch,
    events,
    ...(service ? { service } : {}),
    close: async () => {
      await server.close();
      await stopService();
    },
  };
}
