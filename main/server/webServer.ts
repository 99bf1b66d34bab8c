/**
 * Local web mode: the renderer over HTTP and the API over WebSocket (/api), bound to 127.0.0.1
 * only, guarded by a per-run random token. Any request without the token (page, asset, API,
 * WebSocket) gets 401; the first tokened page load sets an HttpOnly SameSite=Strict cookie so
 * assets and the WebSocket authenticate without the token in every URL. Host and Origin headers
 * are checked too (DNS rebinding, cross-site WebSocket hijacking).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEventHub } from '../../common/api/ApiEventHub';
import type { ApiDispatch } from '../../common/api/dispatcher';
import { WireDecoder, encodeMessage, type WireMessage } from '../../common/api/wire';
import { mimeType } from './mimeType';

export interface WebServerOptions {
  dispatch: ApiDispatch;
  events: ApiEventHub;
  /** Built renderer (index.html + assets), e.g. out/renderer. */
  staticDir: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Fixed token (tests); default 32 random hex characters. */
  token?: string;
  /** Largest API message accepted, bytes (default 2 GiB: label maps of big CTs). */
  maxPayload?: number;
  log?: (msg: string) => void;
}

export interface WebServer {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

export const COOKIE_NAME = 'med3d_token';
const HOST = '127.0.0.1';


/** Same policy as the Electron window (see main/app/csp.ts) plus the WebSocket origin. */
export function webCsp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${HOST}:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === COOKIE_NAME) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const token = o.token ?? randomBytes(16).toString('hex');
  const staticRoot = path.resolve(o.staticDir);
  let port = o.port ?? 0;

  const hostOk = (h: string | undefined): boolean => h === `${HOST}:${port}` || h === `localhost:${port}`;
  const originOk = (origin: string | undefined): boolean => origin === undefined || origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
  const authorised = (req: http.IncomingMessage, url: URL): { ok: boolean; viaQuery: boolean } => {
    if (sameToken(url.searchParams.get('token'), token)) return { ok: true, viaQuery: true };
    return { ok: sameToken(cookieToken(req.headers.cookie), token), viaQuery: false };
  };

  const deny = (res: http.ServerResponse, code: number, msg: string): void => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${msg}\n`);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (!hostOk(req.headers.host)) return deny(res, 403, 'forbidden host');
      const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
      const auth = authorised(req, url);
      if (!auth.ok) return deny(res, 401, 'unauthorised: open the URL printed by `med3d serve` (it carries the token)');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(staticRoot, `.${rel}`);
      if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return deny(res, 404, 'not found');
      const st = await fs.stat(file).catch(() => null);
      if (!st || !st.isFile()) {
        if (rel === '/index.html') return deny(res, 503, `the renderer is not built (${path.join(staticRoot, 'index.html')} missing): run npm run build`);
        return deny(res, 404, 'not found');
      }
      const headers: http.OutgoingHttpHeaders = {
        'content-type': mimeType(file),
        'content-length': st.size,
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      };
      if (file.endsWith('.html')) {
        headers['content-security-policy'] = webCsp(port);
        headers['x-frame-options'] = 'DENY';
      }
      if (auth.viaQuery) headers['set-cookie'] = `${COOKIE_NAME}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    })().catch((err: unknown) => {
      o.log?.(`web server error: ${(err as Error).message}`);
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 2 ** 31 - 1 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const reject = (code: number, msg: string): void => {
      socket.end(`HTTP/1.1 ${code} ${msg}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostOk(req.headers.host)) return reject(403, 'Forbidden');
    if (!authorised(req, url).ok) return reject(401, 'Unauthorized');
    if (!originOk(req.headers.origin)) return reject(403, 'Forbidden');
    if (url.pathname !== '/api') return reject(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  });

  const sockets = new Set<WebSocket>();
  const send = (ws: WebSocket, msg: WireMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    const { text, binaries } = encodeMessage(msg);
    ws.send(text);
    for (const b of binaries) ws.send(b);
  };
  const offEvents = o.events.onAny((event, payload) => {
    for (const ws of sockets) {
      try {
        send(ws, { t: 'evt', event, payload });
      } catch (err) {
        o.log?.(`event ${event} not sent: ${(err as Error).message}`);
      }
    }
  });

  function serveConnection(ws: WebSocket): void {
    sockets.add(ws);
    const decoder = new WireDecoder();
    ws.on('message', (data, isBinary) => {
      let frame: string | ArrayBuffer;
      if (isBinary) {
        if (data instanceof ArrayBuffer) frame = data;
        else {
          const b = Array.isArray(data) ? Buffer.concat(data) : data;
          // Large messages own their ArrayBuffer: use it as is instead of copying 100+ MB again.
          frame = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
      } else {
        frame = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString('utf8');
      }
      let msg: WireMessage | null;
      try {
        msg = decoder.push(frame);
      } catch (err) {
        o.log?.(`closing API connection: ${(err as Error).message}`);
        ws.close(1002, 'protocol error');
        return;
      }
      if (!msg) return;
      if (msg.t !== 'req') {
        ws.close(1002, 'protocol error');
        return;
      }
      const { id, method, payload } = msg;
      void o.dispatch(method, payload).then((env) => {
        try {
          send(ws, { t: 'res', id, env });
        } catch (err) {
          send(ws, { t: 'res', id, env: { ok: false, error: { code: 'internal', message: `response not sendable: ${(err as Error).message}` } } });
        }
      });
    });
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}/?token=${token}`;
  return {
    url,
    port,
    host: HOST,
    token,
    close: async () => {
      offEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
