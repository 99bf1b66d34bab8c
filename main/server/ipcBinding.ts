/**
 * Main-process side of the Electron transport, written against the few ipcMain/webContents
 * methods it needs so it runs (and is tested) without Electron. One handler per
 * 'med3d:<method>' channel; payloads are validated by the dispatcher; events are forwarded
 * to every registered window on 'med3d:event:<name>'. Handlers also check the sender's frame
 * URL, so a navigated-away or embedded frame cannot call the API.
 */
import type { ApiEventHub } from '../../common/api/ApiEventHub';
import { EVENT_NAMES, METHOD_NAMES, type Unsubscribe } from '../../common/api/Med3dApi';
import { INTERNAL_CHANNELS, eventChannel, methodChannel } from '../../common/api/channels';
import type { ApiDispatch } from '../../common/api/dispatcher';
import type { ResponseEnvelope } from '../../common/api/errors';

export interface IpcSenderFrame {
  url: string;
}

export interface IpcInvokeEventLike {
  senderFrame?: IpcSenderFrame | null;
  sender?: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload: unknown) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcBindingOptions {
  ipcMain: IpcMainLike;
  dispatch: ApiDispatch;
  events: ApiEventHub;
  /** Accept calls only from frames whose URL passes (default: any). */
  isTrustedSender?: (url: string) => boolean;
  /** Paths the preload says the user dropped (resolved from real File objects). */
  onGrantPaths?: (paths: string[]) => Promise<string[]>;
}

export interface IpcBinding {
  /** Start forwarding events to a window's webContents; returns the detach function. */
  attach(wc: WebContentsLike): Unsubscribe;
  dispose(): void;
}

export function bindIpc(o: IpcBindingOptions): IpcBinding {
  const trusted = (e: IpcInvokeEventLike): boolean => !o.isTrustedSender || (!!e.senderFrame && o.isTrustedSender(e.senderFrame.url));
  const refuse: ResponseEnvelope = { ok: false, error: { code: 'forbidden-path', message: 'API call from an untrusted frame refused' } };
  for (const m of METHOD_NAMES) {
    o.ipcMain.handle(methodChannel(m), async (e, payload) => (trusted(e) ? o.dispatch(m, payload) : refuse));
  }
  o.ipcMain.handle(INTERNAL_CHANNELS.grantPaths, async (e, payload): Promise<ResponseEnvelope> => {
    if (!trusted(e)) return refuse;
    if (!Array.isArray(payload) || payload.length > 1000 || !payload.every((p) => typeof p === 'string' && p.length > 0 && p.length < 4096)) {
      return { ok: false, error: { code: 'invalid-request', message: 'grantPaths expects an array of paths' } };
    }
    if (!o.onGrantPaths) return { ok: true, result: [] };
    try {
      return { ok: true, result: await o.onGrantPaths(payload as string[]) };
    } catch (err) {
      return { ok: false, error: { code: 'forbidden-path', message: (err as Error).message } };
    }
  });
  const windows = new Set<WebContentsLike>();
  const off = o.events.onAny((event, payload) => {
    for (const wc of windows) {
      if (wc.isDestroyed()) windows.delete(wc);
      else wc.send(eventChannel(event), payload);
    }
  });
  return {
    attach(wc) {
      windows.add(wc);
      return () => windows.delete(wc);
    },
    dispose() {
      off();
      for (const m of METHOD_NAMES) o.ipcMain.removeHandler(methodChannel(m));
      o.ipcMain.removeHandler(INTERNAL_CHANNELS.grantPaths);
      windows.clear();
    },
  };
}

