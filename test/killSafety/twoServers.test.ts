import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createApiClient } from '../../common/api/createApiClient';
import { createWsTransport, type WebSocketLike } from '../../common/api/wsTransport';
import type { Med3dApi } from '../../common/api/Med3dApi';
import { Workspace } from '../../main/workspace/Workspace';
import { REPO_ROOT } from '../sharedDir';

let dir: string;
const children: ChildProcess[] = [];
const sockets: WebSocket[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-2serve-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill('SIGKILL'), 5000);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  await rm(dir, { recursive: true, force: true });
});

/** `med3d serve` on `workspace` as a user starts it; resolves with an API client over its WebSocket. */
async function serve(workspace: string): Promise<Med3dApi> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), 'serve', '--no-build', '--no-engine', '-w', workspace, '-r', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)$/m.exec(out);
      if (m) resolve(new URL(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`med3d serve exited (${code}): ${stderr}`)));
  });
  const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`);
  sockets.push(ws);
  const t = createWsTransport(ws as unknown as WebSocketLike);
  await t.ready;
  return createApiClient(t);
}

describe('two `med3d serve` processes on one workspace', () => {
  it('adding 12 cases each at the same time keeps all 24, with distinct ids', async () => {
    const workspace = path.join(dir, 'ws');
    await Workspace.open(workspace, { create: true });
    const [a, b] = await Promise.all([serve(workspace), serve(workspace)]);
    const scans = async (who: string): Promise<string[]> =>
      Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const f = path.join(dir, `${who}-${i}.nii.gz`);
          await writeFile(f, 'scan');
          return f;
        }),
      );
    const [fa, fb] = await Promise.all([scans('a'), scans('b')]);
    const added = await Promise.all([...fa.map((f) => a.addCase({ path: f })), ...fb.map((f) => b.addCase({ path: f }))]);
    expect(new Set(added.map((c) => c.caseId)).size).toBe(24);

    const onDisk = (await Workspace.open(workspace)).snapshot().cases;
    expect(onDisk).toHaveLength(24);
    expect(new Set(onDisk.map((c) => c.caseId)).size).toBe(24);
    expect(onDisk.map((c) => path.basename(c.source)).sort()).toEqual([...fa, ...fb].map((f) => path.basename(f)).sort());
    // Each server sees the other's cases too.
    expect((await a.listCases()).length).toBe(24);
    expect((await b.listCases()).length).toBe(24);
  }, 60_000);
});
