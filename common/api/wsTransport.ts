import { ApiError } from './errors';
import type { EventName, MethodName, Unsubscribe } from './Med3dApi';
import type { ApiTransport } from './transport';
import { WireDecoder, encodeMessage, type WireMessage } from './wire';

/** The subset of the standard WebSocket (browser, Node >= 22, or the `ws` package) we use. */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', l: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'open', l: () => void): void;
  /** Browsers and `ws` pass a CloseEvent; code 1009 with a reason means a size limit was hit. */
  addEventListener(type: 'close', l: (ev?: { code?: number; reason?: string }) => void): void;
  addEventListener(type: 'error', l: (ev: unknown) => void): void;
}

const OPEN = 1;

/**
 * Client side of the web-mode transport. Pass an open (or opening) WebSocket to
 * ws://127.0.0.1:PORT/api?token=TOKEN. Pending calls fail with 'disconnected' when it closes.
 * Node clients using the `ws` package must raise its 100 MiB default message limit for big
 * volumes: `new WebSocket(url, { maxPayload: 2 ** 31 - 1 })` (browsers have no such limit).
 */
export function createWsTransport(ws: WebSocketLike): ApiTransport & { ready: Promise<void> } {
  ws.binaryType = 'arraybuffer';
  const decoder = new WireDecoder();
  const pending = new Map<number, (env: unknown) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let nextId = 1;
  let closed = false;

  const ready = new Promise<void>((resolve, reject) => {
    if (ws.readyState === OPEN) resolve();
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', () => reject(new ApiError('disconnected', 'WebSocket closed before it opened (wrong token or server gone?)')));
  });
  ready.catch(() => undefined);

  const failAll = (why: string): void => {
    closed = true;
    for (const [, resolve] of pending) resolve({ ok: false, error: { code: 'disconnected', message: why } });
    pending.clear();
  };

  ws.addEventListener('message', (ev) => {
    let data = ev.data;
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer)) {
      // Node's `ws` may hand Buffers despite binaryType when fragments arrive; normalise.
      if (ArrayBuffer.isView(data)) data = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      else return;
    }
    let msg: WireMessage | null;
    try {
      msg = decoder.push(data as string | ArrayBuffer);
    } catch (err) {
      failAll(`API connection closed: ${(err as Error).message}`);
      ws.close(1002, 'protocol error');
      return;
    }
    if (!msg) return;
    if (msg.t === 'res') {
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      resolve?.(msg.env);
    } else if (msg.t === 'evt') {
      for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
    }
  });
  ws.addEventListener('close', (ev) => {
    // 1009: a size limit (`med3d serve --ws-max-message-mb`); frames refused from their header carry no reason.
    const reason = ev?.reason || (ev?.code === 1009 ? "a message was larger than the server's WebSocket limits" : '');
    failAll(`the Med3D server closed the connection${ev?.code && ev.code !== 1000 ? ` (${ev.code}${reason ? `: ${reason}` : ''})` : ''}`);
  });
  ws.addEventListener('error', () => undefined);

  const send = (msg: WireMessage): void => {
    const { text, binaries } = encodeMessage(msg);
    ws.send(text);
    for (const b of binaries) ws.send(b);
  };

  return {
    ready,
    async invoke(method: MethodName, payload: unknown): Promise<unknown> {
      await ready;
      if (closed) throw new ApiError('disconnected', 'the Med3D server connection is closed');
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        try {
          send({ t: 'req', id, method, payload });
        } catch (err) {
          pending.delete(id);
          resolve({ ok: false, error: { code: 'invalid-request', message: (err as Error).message } });
        }
      });
    },
    subscribe(event: EventName, cb: (p: unknown) => void): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
      return () => set.delete(cb);
    },
    close(): void {
      ws.close(1000, 'client closed');
    },
  };
}
