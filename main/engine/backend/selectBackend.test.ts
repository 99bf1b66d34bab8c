import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { getKernels, setKernels } from '../nn/kernels/registry';
import { loadNativeAddon } from './nativeAddon';
import { backendReport, describeBackend, initEngineBackend } from './selectBackend';

const native = loadNativeAddon();
const previous = getKernels();
afterAll(() => setKernels(previous));

describe('backend ladder', () => {
  it("'js' installs the plain tfjs kernels and says why the better rungs were not used", async () => {
    const r = await initEngineBackend({ prefer: 'js' });
    expect(r.backend).toBe('tfjs');
    expect(r.kernels).toBe('tfjs-cpu');
    expect(getKernels().name).toBe('tfjs-cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(r.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'native']);
    expect(r.skipped.every((s) => s.reason.length > 0)).toBe(true);
    expect(backendReport()).toBe(r);
    expect(describeBackend(r)).toMatch(/Engine backend: tfjs/);
    expect(describeBackend(r)).toMatch(/slower/);
  });

  it("'auto' walks tfjs-node-gpu → tfjs-node → native → tfjs and never throws when rungs are missing", async () => {
    const r = await initEngineBackend({ prefer: 'auto' });
    expect(['tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs']).toContain(r.backend);
    if (r.backend === 'native' || r.backend === 'tfjs') {
      // tfjs-node is not installable on our machines: both upper rungs must carry a reason.
      expect(r.skipped.find((s) => s.name === 'tfjs-node')?.reason).toMatch(/tfjs-node/);
      expect(r.skipped.find((s) => s.name === 'tfjs-node-gpu')?.reason).toMatch(/tfjs-node-gpu/);
    }
    expect(r.backend === 'native').toBe(native.loaded);
    expect(getKernels().name).toBe(r.kernels);
    expect(r.native.built).toBe(native.built);
    if (!native.loaded) {
      expect(r.native.howToEnable).toMatch(/libdnnl-dev|MED3D_DISABLE_NATIVE/);
      expect(r.skipped.find((s) => s.name === 'native')?.reason).toBeTruthy();
    }
  });

  it.skipIf(!native.loaded)('native: oneDNN kernels with the requested thread count and the CPU SIMD level', async () => {
    const r = await initEngineBackend({ prefer: 'native', threads: 1 });
    expect(r.backend).toBe('native');
    expect(r.kernels).toBe('onednn');
    expect(r.threads).toBe(1);
    expect(r.simd).toMatch(/oneDNN 2\./);
    expect(r.native.loaded).toBe(true);
    expect(r.skipped.map((s) => s.name)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
    await initEngineBackend({ prefer: 'native' });
  });
});
