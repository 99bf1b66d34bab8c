import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { getKernels, setKernels } from '../nn/kernels/registry';
import { parseDevice } from './device';
import { loadNativeAddon } from './nativeAddon';
import { backendReport, describeBackend, EngineDeviceError, initEngineBackend, planFor } from './selectBackend';
import { tfjsNodeHasCudaDevice } from './tfjsNodeRung';

const native = loadNativeAddon();
const previous = getKernels();
afterAll(() => setKernels(previous));

describe('backend ladder', () => {
  it("device 'tfjs' pins the plain tfjs kernels and says why the better rungs were not used", async () => {
    const r = await initEngineBackend({ device: 'tfjs' });
    expect(r.backend).toBe('tfjs');
    expect(r.device).toBe('tfjs');
    expect(r.runsOn).toBe('cpu');
    expect(r.kernels).toBe('tfjs-cpu');
    expect(getKernels().name).toBe('tfjs-cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(r.skipped.map((s) => s.name)).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'native']);
    expect(r.skipped.every((s) => s.reason === 'not tried: --device tfjs')).toBe(true);
    expect(r.rungs.map((s) => [s.name, s.used])).toEqual([['webgpu', false], ['tfjs-node-gpu', false], ['tfjs-node', false], ['native', false], ['tfjs', true]]);
    expect(backendReport()).toBe(r);
    expect(describeBackend(r)).toMatch(/Engine backend: tfjs on CPU/);
    expect(describeBackend(r)).toMatch(/slower/);
  });

  it("'cpu' never tries a GPU rung and always ends on a working CPU rung", async () => {
    const r = await initEngineBackend({ device: 'cpu' });
    expect(['tfjs-node', 'native', 'tfjs']).toContain(r.backend);
    expect(r.skipped.find((s) => s.name === 'webgpu')?.reason).toBe('not tried: --device cpu');
    expect(r.skipped.find((s) => s.name === 'tfjs-node-gpu')?.reason).toBe('not tried: --device cpu');
    expect(r.backend === 'native').toBe(native.loaded);
  });

  it("'auto' walks webgpu → tfjs-node-gpu → tfjs-node → native → tfjs, never throws, never takes a software adapter", async () => {
    const r = await initEngineBackend({ device: 'auto' });
    expect(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs']).toContain(r.backend);
    if (r.backend === 'webgpu') expect(r.adapter?.isFallback).toBe(false);
    if (r.backend === 'native' || r.backend === 'tfjs') {
      // No GPU here and tfjs-node is not installable on our machines: every upper rung carries a reason.
      expect(r.skipped.map((s) => s.name)).toEqual(expect.arrayContaining(['webgpu', 'tfjs-node-gpu', 'tfjs-node']));
      expect(r.skipped.find((s) => s.name === 'tfjs-node-gpu')?.reason).toMatch(/tfjs-node-gpu/);
      expect(r.skipped.every((s) => s.reason.length > 0 && !s.reason.startsWith('not tried'))).toBe(true);
    }
    expect(getKernels().name).toBe(r.kernels);
    expect(r.native.built).toBe(native.built);
    if (!native.loaded) {
      expect(r.native.howToEnable).toMatch(/libdnnl-dev|MED3D_DISABLE_NATIVE/);
      expect(r.skipped.find((s) => s.name === 'native')?.reason).toBeTruthy();
    }
  });

  it('a pinned rung that cannot start is an error, not a fallback, and the installed kernels stay', async () => {
    await initEngineBackend({ device: 'tfjs' });
    const err = await initEngineBackend({ device: 'tfjs-node' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineDeviceError);
    expect((err as Error).message).toMatch(/^--device tfjs-node: not available here \(tfjs-node: .*tfjs-node/);
    expect((err as Error).message).not.toMatch(/\n/);
    expect(getKernels().name).toBe('tfjs-cpu');
  });

  it.skipIf(!native.loaded)('native: oneDNN kernels with the requested thread count and the CPU SIMD level', async () => {
    const r = await initEngineBackend({ device: 'native', threads: 1 });
    expect(r.backend).toBe('native');
    expect(r.kernels).toBe('onednn');
    expect(r.threads).toBe(1);
    expect(r.simd).toMatch(/oneDNN \d\./);
    expect(r.native.loaded).toBe(true);
    expect(r.skipped.map((s) => s.name)).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node']);
    await initEngineBackend({ device: 'native' });
  });
});

describe('device plans', () => {
  it.each([
    ['auto', ['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs'], false, false],
    ['cpu', ['tfjs-node', 'native', 'tfjs'], false, false],
    ['gpu', ['webgpu', 'tfjs-node-gpu'], true, false],
    ['webgpu', ['webgpu'], true, true],
    ['native', ['native'], true, false],
  ] as const)('%s → rungs %j, strict %s, software adapter allowed %s', (device, rungs, strict, software) => {
    const p = planFor(device);
    expect(p.rungs.map((r) => r.name)).toEqual(rungs);
    expect(p.strict).toBe(strict);
    expect(p.allowSoftwareAdapter).toBe(software);
  });

  it('parses the one spelling, the legacy js alias, and rejects anything else in one line', () => {
    expect(parseDevice('WebGPU')).toBe('webgpu');
    expect(parseDevice('js', 'MED3D_BACKEND')).toBe('tfjs');
    expect(() => parseDevice('cuda')).toThrow(/^--device: unknown device 'cuda' \(expected auto\|cpu\|gpu\|webgpu/);
  });
});

describe('tfjs-node-gpu detection', () => {
  it.each([
    ['isUsingGpuDevice true', { isUsingGpuDevice: true }, true],
    ['isUsingGpuDevice false (libtensorflow fell back to the CPU)', { isUsingGpuDevice: false }, false],
    ['only the binding knows', { binding: { isUsingGpuDevice: () => true } }, true],
    ['a backend without either (no getGPUs guessing)', { getGPUs: () => ['GPU:0'] }, false],
  ])('%s', (_t, backend, expected) => {
    expect(tfjsNodeHasCudaDevice(backend)).toBe(expected);
  });
});
