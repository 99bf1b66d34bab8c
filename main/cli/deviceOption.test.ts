import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiClient } from '../../common/api/createApiClient';
import { createWsTransport, type WebSocketLike } from '../../common/api/wsTransport';
import { REPO_ROOT } from '../../test/sharedDir';
import { NO_ADAPTER_ENV, SWIFTSHADER_ENV, swiftShaderAvailable } from '../engine/backend/testing/swiftShader';
import { generateCtPhantom } from '../tasks/phantom/ctPhantom';
import { writeNifti } from '../volume/io/nifti/writeNifti';

/**
 * `--device` is honoured by commands that start the engine later or elsewhere: `med3d batch` (it
 * used to accept --device and ignore it) and `med3d serve` (engine workers behind the web API).
 */
const exec = promisify(execFile);

async function med3d(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, MED3D_DEVICE: '', MED3D_BACKEND: '', ...env }, timeout: 90_000 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('med3d batch --device', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'med3d-batch-device-'));
  const inDir = path.join(dir, 'in');
  const model = path.join(dir, 'not-a-model.pth');
  const batch = (device: string, out: string, env: NodeJS.ProcessEnv = {}): ReturnType<typeof med3d> =>
    med3d(['batch', '--task', 'lung', '--model', model, '--in', inDir, '--out', path.join(dir, out), '--device', device], env);

  beforeAll(async () => {
    await writeNifti(path.join(inDir, 'p1.nii.gz'), generateCtPhantom({ dims: [16, 16, 8], seed: 1 }).ct);
    writeFileSync(model, 'not a checkpoint');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The ladder starts before the model is read, so a model file that is not a checkpoint ends the run right after the backend line.
  it('starts the asked-for backend before the model, refuses gpu without a hardware GPU, rejects unknown devices', async () => {
    // Vulkan sees only SwiftShader (or no driver at all), so a hardware GPU on a developer's machine cannot make this pass.
    const gpuEnv = swiftShaderAvailable('batch --device gpu with only SwiftShader') ? SWIFTSHADER_ENV : NO_ADAPTER_ENV;
    const [tfjs, gpu, bad] = await Promise.all([batch('tfjs', 'a'), batch('gpu', 'b', gpuEnv), batch('cuda', 'c')]);
    expect(tfjs.stdout).toMatch(/^engine backend: tfjs \(kernels tfjs-cpu, device tfjs\)$/m);
    expect(tfjs.code).toBe(1);
    expect(tfjs.stderr).toContain(model);
    // No CUDA and no hardware adapter on CI machines: `gpu` is an error, never the CPU.
    expect(gpu.code).toBe(1);
    expect(gpu.stdout).not.toMatch(/engine backend:/);
    expect(gpu.stderr).toMatch(/^med3d batch: --device gpu: not available here \(webgpu: .*; tfjs-node-gpu: .*\)$/m);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^med3d: --device: unknown device 'cuda'/);
  }, 90_000);
});

describe('med3d serve --device', () => {
  let child: ChildProcess | null = null;
  const ws = mkdtempSync(path.join(tmpdir(), 'med3d-serve-device-'));
  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(ws, { recursive: true, force: true });
  });

  it('the app reports the engine worker backend for the asked-for device; no WebGPU adapter is a one-line error before serving', async () => {
    const none = await med3d(['serve', '--no-build', '--device', 'webgpu', '--workspace', ws], NO_ADAPTER_ENV);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr.split('\n').filter((l) => l.startsWith('med3d:'))).toEqual([expect.stringMatching(/^med3d: --device webgpu: not available here/)]);

    // The worker path is the same for every device (EngineWorker.test.ts runs webgpu in it); plain tfjs keeps this fast.
    child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'med3d.mjs'), 'serve', '--no-build', '--device', 'tfjs', '--workspace', ws], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MED3D_DEVICE: '', MED3D_BACKEND: '' },
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/m.exec(out);
        if (m) resolve(new URL(m[1]));
      });
      child?.on('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
    });
    const sock = new WebSocket(`ws://127.0.0.1:${url.port}/api?token=${url.searchParams.get('token')}`);
    const api = createApiClient(createWsTransport(sock as unknown as WebSocketLike));
    let backend = (await api.getAppInfo()).backend;
    for (let i = 0; i < 300 && !backend; i++) {
      await new Promise((r) => setTimeout(r, 100));
      backend = (await api.getAppInfo()).backend;
    }
    sock.close();
    expect(backend?.name).toBe('tfjs');
    expect(backend?.description).toMatch(/^Engine backend: tfjs on CPU \(device 'tfjs'/);
  }, 90_000);
});
