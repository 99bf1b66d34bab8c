import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { generateCtPhantom } from '../../tasks/phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-batch-kind-'));
function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: dir, timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await mkdir(path.join(dir, 'in'));
  await writeNifti(path.join(dir, 'in', 'p1.nii.gz'), generateCtPhantom({ dims: [32, 32, 16], seed: 3 }).ct);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("med3d batch runs the app's 'batch' job kind", () => {
  it("refuses parameters with the kind's schema and checks, exit 2, nothing written", () => {
    const fmt = med3d('batch', '--task', 'lung', '--in', 'in', '--out', 'out-a', '--format', 'png');
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format: expected "nifti" \| "dicom-seg", got "png"/);
    const task = med3d('batch', '--task', 'heart', '--in', 'in', '--out', 'out-b');
    expect(task.code).toBe(2);
    expect(task.stderr).toMatch(/task must be one of lung, liver, nodule/);
    const shard = med3d('batch', '--task', 'lung', '--in', 'in', '--out', 'out-c', '--shard', '3/2');
    expect(shard.code).toBe(2);
    expect(shard.stdout).toBe('');
  });

  it('runs in the engine worker: backend line, per-case lines, report; relative folders are the cwd’s', () => {
    const r = med3d('batch', '--task', 'lung', '--in', 'in', '--out', 'out', '--device', 'tfjs');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^engine backend: tfjs \(kernels tfjs-cpu, device tfjs\)$/m);
    expect(r.stdout).toMatch(/^\[1\/1\] p1: ok in /m);
    const report = JSON.parse(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as { cases: { id: string; status: string }[] };
    expect(report.cases).toEqual([expect.objectContaining({ id: 'p1', status: 'ok' })]);
  }, 120_000);
});
