import { createApiClient } from './createApiClient';
import { createIpcTransport } from './ipcTransport';
import type { Med3dApi } from './Med3dApi';
import type { Med3dBridge } from './transport';
import { createWsTransport, type WebSocketLike } from './wsTransport';

/**
 * Renderer entry point: Electron (the preload put `window.med3d` there) → IPC; otherwise web
 * mode → WebSocket to the page's own server, path /api, with the page's `token` query
 * parameter (the server also accepts its cookie).
 */
export async function connectApi(): Promise<{ api: Med3dApi; mode: 'electron' | 'web'; bridge?: Med3dBridge }> {
  const g = globalThis as unknown as {
    med3d?: Med3dBridge;
    location?: { protocol: string; host: string; search: string };
    WebSocket?: new (url: string) => WebSocketLike;
  };
  if (g.med3d) return { api: createApiClient(createIpcTransport(g.med3d)), mode: 'electron', bridge: g.med3d };
  if (!g.location || !g.WebSocket) throw new Error('connectApi: neither the Electron bridge nor a browser WebSocket is available');
  const token = new URLSearchParams(g.location.search).get('token');
  const proto = g.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${g.location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const transport = createWsTransport(new g.WebSocket(url));
  await transport.ready;
  return { api: createApiClient(transport), mode: 'web' };
}
