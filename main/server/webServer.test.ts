import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { connect } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { startWebServer, cookieName, type WebServer } from './webServer';
import { ApiEventHub } from '../../common/api/ApiEventHub';
import { createApiDispatcher } from '../../common/api/dispatcher';
import { createApiClient } from '../../common/api/createApiClient';
import { createWsTransport, type WebSocketLike } from '../../common/api/wsTransport';
import type { Med3dApiMethods } from '../../common/api/Med3dApi';
import { REPO_ROOT } from '../../test/sharedDir';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, p: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

/** Send raw bytes on a fresh TCP connection; resolves with the response head (or what came before a close, or 2 s). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let got = '';
    sock.setTimeout(2000, () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) sock.destroy();
    });
    sock.on('close', () => resolve(got));
    sock.on('error', () => undefined);
    sock.on('connect', () => sock.write(request));
  });
}
const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

// A tiny API implementation: the web server is transport only.
const impl = { getAppInfo: async () => ({ name: 'Med3D Workstation', version: 't', mode: 'web', backend: null, platform: 'x', nativeDialogs: false, workspace: null, demoAvailable: true, initialOpen: null }) } as unknown as Med3dApiMethods;

let dir: string;
let server: WebServer;
const events = new ApiEventHub();
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-web-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Med3D</title>');
  await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), 'secret');
  server = await startWebServer({ dispatch: createApiDispatcher(impl), events, staticDir: dir });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  await rm(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), { force: true });
});

describe('web server', () => {
  it('binds 127.0.0.1 only and prints a tokened URL', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  it.skipIf(!external)(`is not reachable on another interface (${external ?? 'none found: skipped'})`, async () => {
    const outcome = await new Promise<string>((resolve) => {
      const sock = connect({ host: external as string, port: server.port });
      sock.setTimeout(2000, () => {
        sock.destroy();
        resolve('timeout');
      });
      sock.on('connect', () => {
        sock.destroy();
        resolve('connected');
      });
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(outcome).not.toBe('connected');
  });

  it.each(['/', '/index.html', '/assets/app.js', '/nope'])('401 without token: %s', async (p) => {
    expect((await get(server.port, p)).status).toBe(401);
    expect((await get(server.port, `${p}${p.includes('?') ? '&' : '?'}token=wrong`)).status).toBe(401);
  });

  it('200 with the token, sets an HttpOnly SameSite cookie and a CSP', async () => {
    const r = await get(server.port, `/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Med3D</title>');
    expect(String(r.headers['set-cookie'])).toContain(`${cookieName(server.port)}=${server.token}; HttpOnly; SameSite=Strict`);
    expect(String(r.headers['content-security-policy'])).toContain("default-src 'self'");
    const asset = await get(server.port, '/assets/app.js', { cookie: `${cookieName(server.port)}=${server.token}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
  });

  it('refuses foreign Host headers (DNS rebinding) and path traversal', async () => {
    expect((await get(server.port, `/?token=${server.token}`, { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(server.port, `/..%2f${path.basename(dir)}-secret.txt?token=${server.token}`)).status).toBe(404);
    await symlink(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), path.join(dir, 'assets', 'leak.txt'));
    expect((await get(server.port, `/assets/leak.txt?token=${server.token}`)).status).toBe(404);
  });

  it('WebSocket: 401 without token, 403 from a foreign origin, open with token or cookie', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    expect(await wsStatus(base)).toBe(401);
    expect(await wsStatus(`${base}?token=bad`)).toBe(401);
    expect(await wsStatus(`${base}?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(`${base}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await wsStatus(base, { cookie: `${cookieName(server.port)}=${server.token}` })).toBe(101);
  });

  it('API round trip and events over the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    const t = createWsTransport(ws as unknown as WebSocketLike);
    const api = createApiClient(t);
    expect((await api.getAppInfo()).name).toBe('Med3D Workstation');
    const got = new Promise((r) => api.onWorkspaceChanged(r));
    events.emit('workspaceChanged', { reason: 'cases', root: '/w' });
    expect(await got).toEqual({ reason: 'cases', root: '/w' });
    await expect(api.listCases()).rejects.toMatchObject({ code: 'unsupported', message: 'listCases is not implemented by this server' });
    ws.close();
  });

  it.each([
    ['an absolute-form upgrade target with an invalid port', (p: number) => `GET http://a:99999/ HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n${upgrade}\r\n`],
    ['an upgrade with a malformed percent-escape in the token cookie', (p: number) => `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nCookie: ${cookieName(p)}=%E0%A4%A\r\n${upgrade}\r\n`],
    ['a page request with a malformed percent-escape in the token cookie', (p: number) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\nCookie: ${cookieName(p)}=%zz%\r\n\r\n`],
    ['an absolute-form page request with an invalid port', (p: number) => `GET http://a:99999/ HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`],
    ['a malformed percent-escape in the path (with the token)', (p: number) => `GET /%E0%A4%A?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1:${p}\r\n\r\n`],
  ])('answers %s with a 4xx and keeps serving', async (_name, request) => {
    const reply = await raw(server.port, request(server.port));
    expect(reply).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect((await get(server.port, `/?token=${server.token}`)).status).toBe(200);
    expect(await wsStatus(`ws://127.0.0.1:${server.port}/api?token=${server.token}`)).toBe(101);
  });

  it('the token cookie is per port: a cookie set for another port does not authenticate', async () => {
    expect(cookieName(server.port)).not.toBe(cookieName(server.port + 1));
    expect((await get(server.port, '/', { cookie: `${cookieName(server.port + 1)}=${server.token}` })).status).toBe(401);
    expect((await get(server.port, '/', { cookie: `other=1; ${cookieName(server.port)}=${server.token}` })).status).toBe(200);
  });

  describe('WebSocket size limits', () => {
    let small: WebServer;
    const limits = { maxMessageBytes: 4096, maxConnectionBytes: 6000, maxTextBytes: 1024 };
    // Requests to this dispatcher are answered only when `release` is called (unanswered bytes pile up).
    let release: () => void = () => undefined;
    beforeAll(async () => {
      const slow = (): Promise<{ ok: true; result: null }> => new Promise((r) => (release = () => r({ ok: true, result: null })));
      small = await startWebServer({ dispatch: slow, events, staticDir: dir, limits });
    });
    afterAll(async () => {
      release();
      await small.close();
    });
    /** Open a socket, send frames, resolve with the close code. */
    function closeCode(frames: Array<string | Buffer>): Promise<number> {
      return new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${small.port}/api?token=${small.token}`);
        ws.on('open', () => {
          for (const f of frames) ws.send(f, { binary: typeof f !== 'string' });
          setTimeout(() => ws.close(1000), 500);
        });
        ws.on('close', (code) => resolve(code));
        ws.on('error', () => undefined);
      });
    }
    const req = (nbin: number): string => JSON.stringify({ t: 'req', id: 1, method: 'getAppInfo', payload: null, nbin });

    it('reports its limits', () => {
      expect(small.limits).toEqual(limits);
    });
    it('closes with 1009 on a text frame over the text limit', async () => {
      expect(await closeCode([`${' '.repeat(2000)}${req(0)}`])).toBe(1009);
    });
    it('closes with 1009 when the binary frames of one message exceed the message limit', async () => {
      expect(await closeCode([req(3), Buffer.alloc(2000), Buffer.alloc(2000), Buffer.alloc(2000)])).toBe(1009);
    });
    it('closes with 1009 when unanswered requests exceed the connection limit', async () => {
      const one = [req(1), Buffer.alloc(3000)];
      expect(await closeCode([...one, ...one, ...one])).toBe(1009);
    });
    it('a client sending too much gets a disconnected error that says which limit', async () => {
      const tooBig = async (labels: ArrayBuffer): Promise<unknown> => {
        const ws = new WebSocket(`ws://127.0.0.1:${small.port}/api?token=${small.token}`);
        const t = createWsTransport(ws as unknown as WebSocketLike);
        await t.ready;
        return createApiClient(t).saveLabel({ caseId: 'case-0001', labels, status: 'corrected' }).catch((e: unknown) => e);
      };
      // One frame over the limit is refused from its header (no reason travels), two frames by our count.
      expect(await tooBig(new ArrayBuffer(5000))).toMatchObject({ code: 'disconnected', message: "the Med3D server closed the connection (1009: a message was larger than the server's WebSocket limits)" });
      expect(await tooBig(new ArrayBuffer(4090))).toMatchObject({ code: 'disconnected', message: expect.stringMatching(/^the Med3D server closed the connection \(1009: API message exceeds 4096 bytes\)$/) });
    });
    it('keeps a connection within the limits open and the server serving', async () => {
      expect(await closeCode([req(1), Buffer.alloc(3000)])).toBe(1000);
      expect((await get(small.port, `/?token=${small.token}`)).status).toBe(200);
    });
  });

  it('503 with a clear message when the renderer is not built', async () => {
    const s = await startWebServer({ dispatch: createApiDispatcher(impl), events, staticDir: path.join(dir, 'missing') });
    try {
      const r = await get(s.port, `/?token=${s.token}`);
      expect(r.status).toBe(503);
      expect(r.body).toContain('renderer is not built');
    } finally {
      await s.close();
    }
  });
});

describe('med3d serve (CLI)', () => {
  it('refuses a bad limit with one line naming the flag', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), 'serve', '--no-build', '--no-engine', '--ws-max-message-mb', 'lots'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('med3d: --ws-max-message-mb: lots is not a positive number of MiB');
  });

  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGTERM');
  });
  it('prints the tokened URL on a line of its own and serves the API', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'med3d-serve-'));
    child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), 'serve', '--no-build', '--no-engine', '--workspace', ws], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child?.on('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
    });
    const u = new URL(url);
    const port = Number(u.port);
    expect((await get(port, '/')).status).toBe(401);
    const sock = new WebSocket(`ws://127.0.0.1:${port}/api?token=${u.searchParams.get('token')}`);
    const api = createApiClient(createWsTransport(sock as unknown as WebSocketLike));
    const info = await api.getAppInfo();
    expect(info).toMatchObject({ mode: 'web', initialOpen: { kind: 'demo' } });
    expect(info.workspace).toBe(ws);
    // The working directory is not an allowed folder unless given with --root; the banner says so and shows the limits.
    expect((await api.listDirectory({})).roots).toEqual([ws]);
    expect(err).toContain('the working directory is not one unless given with --root');
    expect(err).toContain('WebSocket limits: 2048 MiB per API message');
    // The two requests that used to kill the process, sent without the token.
    expect(await raw(port, `GET http://a:99999/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgrade}\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await raw(port, `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookieName(port)}=%E0%A4%A\r\n${upgrade}\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect((await api.getAppInfo()).mode).toBe('web');
    expect(child.exitCode).toBeNull();
    // A batch job aimed outside the allowed folders (the working directory included) is refused and writes nothing.
    const outside = await mkdtemp(path.join(tmpdir(), 'med3d-serve-outside-'));
    await mkdir(path.join(outside, 'in'));
    for (const params of [
      { task: 'lung', in: path.join(outside, 'in'), out: path.join(outside, 'out') },
      { task: 'lung', in: path.join(REPO_ROOT, 'main'), out: path.join(REPO_ROOT, 'batch-out') },
    ]) {
      await expect(api.startJob({ kind: 'batch', params })).rejects.toMatchObject({ code: 'forbidden-path', message: expect.stringContaining('is outside the allowed folders') });
    }
    expect(await readdir(outside)).toEqual(['in']);
    expect(existsSync(path.join(REPO_ROOT, 'batch-out'))).toBe(false);
    expect(await api.listJobs()).toEqual([]);
    await rm(outside, { recursive: true, force: true });
    sock.close();
    child.kill('SIGTERM');
    await new Promise((r) => child?.on('exit', r));
    child = null;
    await rm(ws, { recursive: true, force: true });
  });
});
