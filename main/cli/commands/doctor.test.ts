import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import type { BackendReport } from '../../engine/backend/selectBackend';
import { NO_ADAPTER_ENV, SWIFTSHADER_ENV, swiftShaderAvailable } from '../../engine/backend/testing/swiftShader';
import type { WebGpuProbe } from '../../engine/nn/kernels/webgpu/index';

const cli = path.join(REPO_ROOT, 'bin', 'med3d.mjs');
const exec = promisify(execFile);
const swiftShader = swiftShaderAvailable('med3d doctor on SwiftShader');

async function med3d(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [cli, ...args], { cwd: REPO_ROOT, env: { ...process.env, MED3D_DEVICE: '', MED3D_BACKEND: '', ...env }, timeout: 90_000 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type DoctorJson = BackendReport & { webgpu: WebGpuProbe; node: string; platform: string };

/** The one line med3d prints for a failed command (Dawn may add its own native warnings above it). */
const med3dLine = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('med3d:'));

describe('med3d doctor', () => {
  it('--json: every rung of the ladder with why it was or was not taken, and the WebGPU probe', async () => {
    const r = await med3d(['doctor', '--json'], swiftShader ? SWIFTSHADER_ENV : {});
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as DoctorJson;
    expect(j.device).toBe('auto');
    expect(j.rungs.map((g) => g.name)).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs']);
    expect(j.rungs.filter((g) => g.used).map((g) => g.name)).toEqual([j.backend]);
    expect(j.rungs.every((g) => g.reason.length > 0)).toBe(true);
    expect(typeof j.webgpu.available).toBe('boolean');
    if (swiftShader) {
      // The software adapter is reported (vendor, architecture, fallback, limits) but auto does not take it.
      expect(j.webgpu.adapter).toMatchObject({ architecture: 'swiftshader', isFallback: true });
      expect(j.webgpu.limits.maxBufferSize).toBeGreaterThan(0);
      expect(j.backend).not.toBe('webgpu');
      expect(j.rungs[0].reason).toMatch(/software adapter/);
    }
  }, 90_000);

  it.skipIf(!swiftShader)('--device webgpu --json on SwiftShader: the webgpu rung runs and reports the fallback adapter', async () => {
    const r = await med3d(['doctor', '--device', 'webgpu', '--json'], SWIFTSHADER_ENV);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as DoctorJson;
    expect(j).toMatchObject({ backend: 'webgpu', device: 'webgpu', runsOn: 'gpu', kernels: 'webgpu' });
    expect(j.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallback: true });
    expect(j.webgpu.adapter?.isFallback).toBe(true);
  }, 90_000);

  it.skipIf(!swiftShader)('--device webgpu with no adapter (Vulkan driver file missing) is a one-line error, not a fallback', async () => {
    const r = await med3d(['doctor', '--device', 'webgpu'], NO_ADAPTER_ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(med3dLine(r.stderr)).toHaveLength(1);
    expect(med3dLine(r.stderr)[0]).toMatch(/^med3d: --device webgpu: not available here \(webgpu: .*adapter/);
  }, 90_000);

  it('--device tfjs pins plain tfjs; the text report lists the ladder', async () => {
    const r = await med3d(['doctor', '--device', 'tfjs']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Engine backend: tfjs on CPU \(device 'tfjs'/);
    expect(r.stdout).toMatch(/Not using native: not tried: --device tfjs/);
    expect(r.stdout).toMatch(/^ {2}\* tfjs {10}cpu {2}in use$/m);
    expect(r.stdout).toMatch(/^WebGPU adapter: /m);
  }, 90_000);

  it('an unknown --device (or MED3D_DEVICE) is a one-line usage error', async () => {
    const r = await med3d(['doctor', '--device', 'quantum']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("med3d: --device: unknown device 'quantum' (expected auto|cpu|gpu|webgpu, or a rung to pin: tfjs-node-gpu|tfjs-node|native|tfjs)");
    const e = await med3d(['doctor'], { MED3D_DEVICE: 'cuda' });
    expect(e.code).not.toBe(0);
    expect(med3dLine(e.stderr)[0]).toMatch(/MED3D_DEVICE: unknown device 'cuda'/);
  }, 90_000);
});
