import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/sharedDir';
import { NO_ADAPTER_ENV, SWIFTSHADER_ENV, swiftShaderAvailable } from '../engine/backend/testing/swiftShader';
import { generateCtPhantom } from '../tasks/phantom/ctPhantom';
import { writeNifti } from '../volume/io/nifti/writeNifti';

/**
 * `--device` is honoured by commands that start the engine later, after reading their inputs:
 * `med3d batch` (it used to accept --device and ignore it). The ladder starts before the model is
 * read, so a model file that is not a checkpoint ends the run right after the backend line.
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
