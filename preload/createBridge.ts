/**
 * The preload's whole surface, as a pure function of ipcRenderer (testable without Electron):
 * invoke() only on known 'med3d:<method>' channels, on() only on known event channels, and
 * droppedPaths() which turns real dropped File objects into granted paths. Nothing else of
 * Node or Electron reaches the page.
 */
import { INTERNAL_CHANNELS, eventFromChannel, methodFromChannel } from '../common/api/channels';
import type { Med3dBridge } from '../common/api/transport';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike, getPathForFile?: (f: File) => string): Med3dBridge {
  const bridge: Med3dBridge = {
    invoke(channel: string, payload?: unknown): Promise<unknown> {
      if (!methodFromChannel(channel)) return Promise.reject(new Error(`med3d bridge: channel ${String(channel)} is not an API method`));
      return ipc.invoke(channel, payload);
    },
    on(channel: string, cb: (payload: unknown) => void): () => void {
      if (!eventFromChannel(channel)) throw new Error(`med3d bridge: channel ${String(channel)} is not an API event`);
      if (typeof cb !== 'function') throw new Error('med3d bridge: callback must be a function');
      // Never hand the IpcRendererEvent (it exposes `sender`) to the page.
      const listener = (_e: unknown, payload: unknown): void => cb(payload);
      ipc.on(channel, listener);
      return () => {
        ipc.removeListener(channel, listener);
      };
    },
  };
  if (getPathForFile) {
    bridge.droppedPaths = async (files: File[]): Promise<string[]> => {
      const paths = [...files].map((f) => getPathForFile(f)).filter((p) => typeof p === 'string' && p.length > 0);
      if (!paths.length) return [];
      const env = (await ipc.invoke(INTERNAL_CHANNELS.grantPaths, paths)) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!env.ok) throw new Error(env.error?.message ?? 'drop refused');
      return env.result as string[];
    };
  }
  return bridge;
}
