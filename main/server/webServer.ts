/**
 * Local web mode: the renderer over HTTP and the API over WebSocket (/api), bound to 127.0.0.1
 * only, guarded by a per-run random token. Any request without the token (page, asset, API,
 * WebSocket) gets 401; the first tokened page load sets an HttpOnly SameSite=Strict cookie so
 * assets and the WebSocket authenticate without the token in every URL. Host and Origin headers
 * are checked too (DNS rebinding, cross-site WebSocket hijacking).
 *
 * Everything a client sends is hostile until the token checks out: every request and upgrade
 * handler runs inside one error boundary (a bad request gets a 4xx, the server keeps running),
 * the Host and token checks come before anything that can throw on a crafted request line, and
 * WebSocket messages are capped per message and per connection (./wsLimits).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEventHub } from '../../common/api/ApiEventHub';
import type { ApiDispatch } from '../../common/api/dispatcher';
import { WireDecoder, encodeMessage, type WireMessage } from '../../common/api/wire';
import { mimeType } from './mimeType';
import { parseRequestTarget } from './requestTarget';
import { resolveStaticFile } from './resolveStaticFile';
import { maxFrameBytes, wsLimits, type WsLimits } from './wsLimits';

export interface WebServerOptions {
  dispatch: ApiDispatch;
  events: ApiEventHub;
  /** Built renderer (index.html + assets), e.g. out/renderer. */
  staticDir: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Fixed token (tests); default 32 random hex characters. */
  token?: string;
  /** WebSocket size limits (defaults: ./wsLimits DEFAULT_WS_LIMITS). */
  limits?: Partial<WsLimits>;
  log?: (msg: string) => void;
}

export interface WebServer {
  url: string;
  port: number;
  host: string;
  token: string;
  limits: WsLimits;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * The token cookie's name carries the port: cookies ignore ports, so with one shared name any
 * page served from 127.0.0.1 (another `med3d serve`, any local dev server) could overwrite it.
 */
export function cookieName(port: number): string {
  return `med3d_token_${port}`;
}


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

/** The raw cookie value: our token is hex, so it is never percent-decoded (a hostile escape cannot throw). */
function cookieToken(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * The error boundary of every request and upgrade handler: synchronous throws and rejected
 * promises both end in `onError`, never in an uncaught exception that would stop the server.
 */
function guarded(run: () => void | Promise<void>, onError: (err: unknown) => void): void {
  const fail = (err: unknown): void => {
    try {
      onError(err);
    } catch {
      // The connection is already gone; nothing left to tell anyone.
    }
  };
  try {
    const p = run();
    if (p) p.catch(fail);
  } catch (err) {
    fail(err);
  }
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const token = o.token ?? randomBytes(16).toString('hex');
  const staticRoot = path.resolve(o.staticDir);
  let port = o.port ?? 0;
  const limits = wsLimits(o.limits);

  const hostOk = (h: string | undefined): boolean => h === `${HOST}:${port}` || h === `localhost:${port}`;
  const originOk = (origin: string | undefined): boolean => origin === undefined || origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
  const authorised = (req: http.IncomingMessage, query: URLSearchParams | undefined): { ok: boolean; viaQuery: boolean } => {
    if (sameToken(query?.get('token'), token)) return { ok: true, viaQuery: true };
    return { ok: sameToken(cookieToken(req.headers.cookie, cookieName(port)), token), viaQuery: false };
  };

  const deny = (res: http.ServerResponse, code: number, msg: string): void => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${msg}\n`);
  };

  const handleRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hostOk(req.headers.host)) return deny(res, 403, 'forbidden host');
    const target = parseRequestTarget(req.url);
    const auth = authorised(req, target?.query);
    if (!auth.ok) return deny(res, 401, 'unauthorised: open the URL printed by `med3d serve` (it carries the token)');
    if (!target) return deny(res, 400, 'bad request target');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    const found = await resolveStaticFile(staticRoot, target.rawPath);
    if (!found.ok) {
      if (found.status === 400) return deny(res, 400, 'malformed path');
      if (found.rel === '/index.html') return deny(res, 503, `the renderer is not built (${path.join(staticRoot, 'index.html')} missing): run npm run build`);
      return deny(res, 404, 'not found');
    }
    const { file } = found;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': mimeType(file),
      'content-length': found.size,
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
    if (auth.viaQuery) headers['set-cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const server = http.createServer((req, res) =>
    guarded(
      () => handleRequest(req, res),
      (err) => {
        o.log?.(`web server error on ${JSON.stringify(String(req.url).slice(0, 200))}: ${(err as Error).message}`);
        if (!res.headersSent) deny(res, 500, 'internal error');
        else res.destroy();
      },
    ),
  );

  // No permessage-deflate: the limits count bytes as they arrive, and nothing may inflate behind them.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes(limits), perMessageDeflate: false });
  const handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const reject = (code: number, msg: string): void => {
      socket.end(`HTTP/1.1 ${code} ${msg}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostOk(req.headers.host)) return reject(403, 'Forbidden');
    const target = parseRequestTarget(req.url);
    if (!authorised(req, target?.query).ok) return reject(401, 'Unauthorized');
    if (!originOk(req.headers.origin)) return reject(403, 'Forbidden');
    if (!target) return reject(400, 'Bad Request');
    if (target.rawPath !== '/api') return reject(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client resetting mid-handshake must not surface as an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    guarded(
      () => handleUpgrade(req, socket, head),
      (err) => {
        o.log?.(`WebSocket upgrade error: ${(err as Error).message}`);
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        else socket.destroy();
      },
    );
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
    // Bytes of the message being received (text + binary frames so far) and of every request
    // received but not answered yet: both are capped so a client cannot make us buffer without end.
    let messageBytes = 0;
    let unanswered = 0;
    const tooBig = (what: string): void => {
      o.log?.(`closing API connection: ${what}`);
      ws.close(1009, what.slice(0, 120));
    };
    const onFrame = (data: WebSocket.RawData, isBinary: boolean): void => {
      if (ws.readyState !== ws.OPEN) return;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
      if (!isBinary && size > limits.maxTextBytes) return tooBig(`text frame of ${size} bytes exceeds ${limits.maxTextBytes}`);
      messageBytes += size;
      unanswered += size;
      if (messageBytes > limits.maxMessageBytes) return tooBig(`API message exceeds ${limits.maxMessageBytes} bytes`);
      if (unanswered > limits.maxConnectionBytes) return tooBig(`unanswered requests exceed ${limits.maxConnectionBytes} bytes`);
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
      const cost = messageBytes;
      messageBytes = 0;
      if (msg.t !== 'req') {
        ws.close(1002, 'protocol error');
        return;
      }
      const { id, method, payload } = msg;
      void o
        .dispatch(method, payload)
        .then((env) => {
          try {
            send(ws, { t: 'res', id, env });
          } catch (err) {
            send(ws, { t: 'res', id, env: { ok: false, error: { code: 'internal', message: `response not sendable: ${(err as Error).message}` } } });
          }
        })
        .catch((err: unknown) => o.log?.(`API response ${id} not sent: ${(err as Error).message}`))
        .finally(() => (unanswered -= cost));
    };
    ws.on('message', (data, isBinary) =>
      guarded(
        () => onFrame(data, isBinary),
        (err) => {
          o.log?.(`closing API connection: ${(err as Error).message}`);
          ws.close(1011, 'internal error');
        },
      ),
    );
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
    limits,
    close: async () => {
      offEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
