import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';

const cli = path.join(REPO_ROOT, 'bin', 'med3d.mjs');

describe('med3d doctor', () => {
  it('--json prints a machine-readable backend report on stdout', () => {
    const out = execFileSync(process.execPath, [cli, 'doctor', '--json'], { encoding: 'utf8', timeout: 60_000 });
    const r = JSON.parse(out) as { backend: string; kernels: string; threads: number; simd: string; native: { built: boolean; howToEnable: string }; skipped: { name: string; reason: string }[] };
    expect(['tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs']).toContain(r.backend);
    expect(r.threads).toBeGreaterThan(0);
    expect(typeof r.simd).toBe('string');
    expect(typeof r.native.built).toBe('boolean');
    expect(Array.isArray(r.skipped)).toBe(true);
  }, 60_000);

  it('forced to plain tfjs, the text report says so and how to enable the native path', () => {
    const out = execFileSync(process.execPath, [cli, 'doctor', '--prefer', 'js'], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/Engine backend: tfjs/);
    expect(out).toMatch(/Not using native: not tried: preference 'js'/);
  }, 60_000);

  it('rejects an unknown --prefer with a one-line error', () => {
    let err = '';
    try {
      execFileSync(process.execPath, [cli, 'doctor', '--prefer', 'quantum'], { encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toMatch(/unknown --prefer 'quantum'/);
  }, 60_000);
});
