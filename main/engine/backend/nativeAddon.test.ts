import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAddonFrom, loadNativeAddon } from './nativeAddon';

describe('native addon loader', () => {
  it('reports a missing build with how to enable it, without throwing', () => {
    const r = loadAddonFrom(path.join(os.tmpdir(), 'no-such-dir', 'med3d_onednn.node'));
    expect(r).toMatchObject({ built: false, loaded: false, addon: null });
    expect(r.error).toMatch(/not built .*no-such-dir/);
    expect(r.howToEnable).toMatch(/apt-get install .*libdnnl-dev.*npm run build:native/);
  });

  it('reports a corrupt .node file by name and cause, without throwing', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-native-'));
    const file = path.join(dir, 'med3d_onednn.node');
    writeFileSync(file, 'not an ELF file');
    const r = loadAddonFrom(file);
    expect(r).toMatchObject({ built: true, loaded: false, addon: null });
    expect(r.error).toContain(file);
    expect(r.error).toMatch(/cannot load/);
  });

  it.skipIf(!loadNativeAddon().loaded)('the built addon loads and describes oneDNN and its threads', () => {
    const r = loadNativeAddon();
    const info = r.addon!.info();
    expect(info.dnnlVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.threads).toBeGreaterThan(0);
    expect(info.isa.length).toBeGreaterThan(0);
    expect(loadNativeAddon()).toBe(r);
  });
});
