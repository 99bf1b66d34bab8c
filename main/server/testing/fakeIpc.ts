/**
 * An in-memory ipcMain / ipcRenderer / webContents trio with Electron's semantics that matter
 * here: payloads are structured-cloned both ways, handlers get an event with senderFrame.url.
 */
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from '../ipcBinding';
import type { IpcRendererLike } from '../../../preload/createBridge';

type Listener = (event: unknown, payload: unknown) => void;

export function createFakeIpc(frameUrl = 'file:///app/index.html'): { ipcMain: IpcMainLike; ipcRenderer: IpcRendererLike; webContents: WebContentsLike; handlers: Map<string, unknown> } {
  const handlers = new Map<string, (e: IpcInvokeEventLike, p: unknown) => unknown>();
  const listeners = new Map<string, Set<Listener>>();
  const ipcMain: IpcMainLike = {
    handle(channel, fn) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, fn);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  const ipcRenderer: IpcRendererLike = {
    async invoke(channel, ...args) {
      const h = handlers.get(channel);
      if (!h) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      return structuredClone(await h({ senderFrame: { url: frameUrl } }, structuredClone(args[0])));
    },
    on(channel, l) {
      let s = listeners.get(channel);
      if (!s) listeners.set(channel, (s = new Set()));
      s.add(l);
    },
    removeListener(channel, l) {
      listeners.get(channel)?.delete(l);
    },
  };
  const webContents: WebContentsLike = {
    send(channel, payload) {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'ipc-renderer-event' }, structuredClone(payload));
    },
    isDestroyed: () => false,
  };
  return { ipcMain, ipcRenderer, webContents, handlers };
}
