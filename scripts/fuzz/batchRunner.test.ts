import { describe, it, expect, afterAll } from 'vitest';
import path from 'node:path';
import { DATA_DIR, sharedAvailable } from '../../test/sharedDir';
import { BatchRunner } from './batchRunner';

const have = sharedAvailable('fuzz batch runner');
const runner = new BatchRunner({ timeoutMs: 20_000, memoryMb: 1536 });
afterAll(() => runner.close());

describe.skipIf(!have)('BatchRunner', () => {
  it('charges a hang to its input, restarts the worker, and runs the next input normally', async () => {
    const ok = path.join(DATA_DIR, 'nifti', 'standard.nii.gz');
    const bad = path.join(DATA_DIR, 'nifti', 'malformed', 'not-nifti.nii');
    expect((await runner.run('nifti', ok)).cls).toBe('success');
    const hung = await runner.run('nifti', ok, 1);
    expect([hung.cls, hung.signal]).toEqual(['hang', 'SIGKILL']);
    const after = await runner.run('nifti', bad);
    expect(after.cls).toBe('clean-error');
    expect(after.stderr).toMatch(new RegExp(`^med3d: cannot read ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+\n$`));
    expect((await runner.run('nifti', ok)).cls).toBe('success');
  }, 90_000);
});
