import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, REPO_ROOT, sharedAvailable } from '../../../test/sharedDir';
import { NO_ADAPTER_ENV, SWIFTSHADER_ENV, swiftShaderAvailable } from '../../engine/backend/testing/swiftShader';
import { buildModel } from '../../engine/models/buildModel';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import { readF32, readManifest, worstExcess } from '../../engine/models/testing/fixtures';
import { saveCheckpoint } from '../../engine/weights/checkpoint';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/** The raw engine CLI contract (`run-raw`, `train-step-raw`) against the MedicalNet fixtures. */
const run = promisify(execFile);
const has = sharedAvailable('MedicalNet fixtures (CLI)');
const med3d = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> =>
  run(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, MED3D_BACKEND: '', MED3D_DEVICE: 'tfjs', ...env } });

async function fails(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  try {
    await med3d(args, env);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`med3d ${args.join(' ')} unexpectedly succeeded`);
}

describe.skipIf(!has)('med3d run-raw / train-step-raw', () => {
  const F = FIXTURES_DIR;
  const cases = has ? readManifest(F).cases : [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'med3d-engine-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('run-raw reproduces d50_B_w8 logits and features (zip .pth)', async () => {
    const c = cases.find((k) => k.name === 'd50_B_w8')!;
    const out = path.join(tmp, 'logits.bin');
    const feat = path.join(tmp, 'features.bin');
    await med3d(['run-raw', '--weights', path.join(F, c.checkpoints[0].file), '--input', path.join(F, c.input.file), '--shape', c.input.shape.join(','), '--out', out, '--features', feat]);
    for (const [what, file] of [
      ['logits', out],
      ['features', feat],
    ] as const) {
      const r = worstExcess(readF32(tmp, path.basename(file)), readF32(F, c.expected[what].file), c.tolerance[what]);
      expect(r.excess, `${what} max |diff| ${r.maxAbs}`).toBeLessThanOrEqual(0);
    }
  });

  it('train-step-raw writes loss, every gradient and every BN running stat matching PyTorch', async () => {
    const c = cases.find((k) => k.kind === 'train')!;
    const dir = path.join(tmp, 'train');
    await med3d(['train-step-raw', '--weights', path.join(F, c.checkpoints[0].file), '--input', path.join(F, c.input.file), '--shape', c.input.shape.join(','), '--labels', path.join(F, c.labels!.file), '--out-dir', dir]);
    const lossTol = c.tolerance.loss;
    expect(worstExcess(readF32(dir, 'loss.bin'), readF32(F, c.expected.loss.file), lossTol).excess).toBeLessThanOrEqual(0);
    for (const [name, spec] of Object.entries(c.expected.grads ?? {})) {
      const r = worstExcess(readF32(dir, `grad.${name}.bin`), readF32(F, spec.file), c.tolerance[`grad ${name}`]);
      expect(r.excess, `grad ${name}: max |diff| ${r.maxAbs}`).toBeLessThanOrEqual(0);
    }
    expect(worstExcess(readF32(dir, 'bn1.running_mean.bin'), readF32(F, c.expected['bn1.running_mean'].file), c.tolerance['bn1.running_mean']).excess).toBeLessThanOrEqual(0);
    expect(worstExcess(readF32(dir, 'bn1.running_var.bin'), readF32(F, c.expected['bn1.running_var'].file), c.tolerance['bn1.running_var']).excess).toBeLessThanOrEqual(0);
    // One gradient file per float parameter of the checkpoint, one stats pair per BN.
    const ck = (c.checkpoints[0] as unknown as { state_dict_keys: { name: string }[] }).state_dict_keys.map((k) => k.name.replace(/^module\./, ''));
    for (const k of ck.filter((n) => /\.(weight|bias)$/.test(n))) expect(() => readFileSync(path.join(dir, `grad.${k}.bin`)), k).not.toThrow();
    for (const k of ck.filter((n) => n.endsWith('.running_var'))) expect(() => readFileSync(path.join(dir, `${k}.bin`)), k).not.toThrow();
  });

  it('errors are one line naming the file and the cause, exit code != 0', async () => {
    const c = cases.find((k) => k.name === 'd10_B_w8')!;
    const short = path.join(tmp, 'short.bin');
    writeFileSync(short, new Uint8Array(100));
    const e1 = await fails(['run-raw', '--weights', path.join(F, c.checkpoints[0].file), '--input', short, '--shape', c.input.shape.join(','), '--out', path.join(tmp, 'x.bin')]);
    expect(e1.code).not.toBe(0);
    expect(e1.stderr.trim().split('\n')).toHaveLength(1);
    expect(e1.stderr).toContain(short);
    expect(e1.stderr).toContain('expected 36864');
    const enc = cases.find((k) => k.kind === 'encoder')!;
    const e2 = await fails(['run-raw', '--weights', path.join(F, enc.checkpoints[0].file), '--input', path.join(F, enc.input.file), '--shape', enc.input.shape.join(','), '--out', path.join(tmp, 'y.bin')]);
    expect(e2.code).not.toBe(0);
    expect(e2.stderr).toMatch(/encoder-only/);
  });
});

describe('med3d run-raw / train-step-raw --device', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'med3d-engine-device-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  // A tiny ResNet-10 (width 4) on 1x1x8x12x12: SwiftShader runs WGSL at well under 1 GFLOP/s.
  const spec: ModelSpec = { backbone: { depth: 10, shortcut: 'B', baseWidth: 4, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 4 } };
  const weights = path.join(tmp, 'tiny.m3d');
  const input = path.join(tmp, 'x.bin');
  const shape = '1,1,8,12,12';
  const ready = (async () => {
    await saveCheckpoint(weights, { spec, stateDict: buildModel(createHeadRegistry(), spec, { seed: 3 }).stateDict(), meta: { createdAt: '2026-11-30T00:00:00.000Z' } });
    writeFileSync(input, new Uint8Array(Float32Array.from({ length: 8 * 12 * 12 }, (_, i) => Math.sin(i * 0.37)).buffer));
  })();

  it.skipIf(!swiftShaderAvailable('run-raw --device webgpu'))('run-raw --device webgpu on SwiftShader gives the same logits as the CPU path', async () => {
    await ready;
    const [gpu, cpu] = await Promise.all([
      med3d(['run-raw', '--device', 'webgpu', '--weights', weights, '--input', input, '--shape', shape, '--out', path.join(tmp, 'gpu.bin')], { ...SWIFTSHADER_ENV, MED3D_DEVICE: '' }),
      med3d(['run-raw', '--weights', weights, '--input', input, '--shape', shape, '--out', path.join(tmp, 'cpu.bin')]),
    ]);
    expect(gpu.stdout).toMatch(/logits \[1,2,2,4,4\] .*\(webgpu, /);
    expect(cpu.stdout).toMatch(/\(tfjs-cpu, /);
    const a = readF32(tmp, 'gpu.bin');
    const b = readF32(tmp, 'cpu.bin');
    const scale = Math.max(...b.map(Math.abs));
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(a.length).toBe(64);
    expect(worst / scale).toBeLessThan(1e-4);
  }, 120_000);

  it.skipIf(!swiftShaderAvailable('run-raw --device webgpu'))('--device webgpu / gpu without a usable adapter: one-line error, no output, no fallback', async () => {
    await ready;
    const out = path.join(tmp, 'none.bin');
    const [webgpu, gpu] = await Promise.all([
      fails(['run-raw', '--device', 'webgpu', '--weights', weights, '--input', input, '--shape', shape, '--out', out], NO_ADAPTER_ENV),
      fails(['train-step-raw', '--device', 'gpu', '--weights', weights, '--input', input, '--shape', shape, '--labels', input, '--out-dir', path.join(tmp, 'g')], SWIFTSHADER_ENV),
    ]);
    const line = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('med3d:'));
    expect(webgpu.code).toBe(1);
    expect(line(webgpu.stderr)).toEqual([expect.stringMatching(/^med3d: --device webgpu: not available here \(webgpu: .*adapter/)]);
    // SwiftShader is a software adapter: `gpu` refuses it (and there is no CUDA here).
    expect(gpu.code).toBe(1);
    expect(line(gpu.stderr)).toEqual([expect.stringMatching(/^med3d: --device gpu: not available here \(webgpu: only a software adapter.*; tfjs-node-gpu: /)]);
    expect(() => readFileSync(out)).toThrow();
  }, 120_000);
});
