import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/sharedDir';
import { affineFromGeometry } from '../../volume/geometry/affine';
import { encodeNifti } from '../../volume/io/nifti/encodeNifti';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-call-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: dir, timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('med3d call (headless API on a workspace)', () => {
  const ws = path.join(dir, 'ws');
  const scan = path.join(dir, 'scan.nii');
  const dims: [number, number, number] = [6, 5, 4];
  writeFileSync(
    scan,
    encodeNifti({
      data: Int16Array.from({ length: 120 }, (_, i) => (i % 7) * 100 - 300),
      dims,
      spacing: [1, 1, 2],
      affine: affineFromGeometry([1, 1, 2], [0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]),
      meta: { warnings: [] },
    }),
  );

  it('adds a case, then lists it from a fresh process (state lives in the workspace)', () => {
    const add = med3d('call', 'addCase', JSON.stringify({ path: scan }), '-w', ws);
    expect(add.stderr).not.toMatch(/med3d:/);
    expect(add.code).toBe(0);
    const added = JSON.parse(add.stdout) as { caseId: string; status: string };
    expect(added.status).toBe('new');
    const list = med3d('call', 'listCases', '-w', ws);
    expect(list.code).toBe(0);
    const cases = JSON.parse(list.stdout) as Array<{ caseId: string; source: string }>;
    expect(cases.map((c) => c.caseId)).toEqual([added.caseId]);
    expect(cases[0]!.source).toBe(scan);
  });

  it('rejects unknown methods, invalid JSON and schema violations with one line and exit 1', () => {
    const unknown = med3d('call', 'noSuchMethod', '-w', ws);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toMatch(/^med3d: unknown API method 'noSuchMethod'/);
    const badJson = med3d('call', 'addCase', '{path:', '-w', ws);
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toMatch(/not valid JSON/);
    const badReq = med3d('call', 'addCase', JSON.stringify({ path: scan, bogus: 1 }), '-w', ws);
    expect(badReq.code).toBe(1);
    expect(badReq.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a batch job aimed outside the allowed folders, writing nothing', () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'cli-call-outside-'));
    try {
      mkdirSync(path.join(outside, 'in'));
      writeFileSync(path.join(outside, 'in', 'scan.nii'), readFileSync(scan));
      for (const params of [
        { task: 'lung', in: path.join(outside, 'in'), out: path.join(outside, 'out') },
        { task: 'lung', in: dir, out: path.join(outside, 'out') },
      ]) {
        const r = med3d('call', 'startJob', JSON.stringify({ kind: 'batch', params }), '-w', ws);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/batch (input|output) "(in|out|model)" .* is outside the allowed folders/);
      }
      expect(readdirSync(outside)).toEqual(['in']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses paths outside the workspace and allowed roots', () => {
    const outside = med3d('call', 'addCase', JSON.stringify({ path: '/etc/hostname' }), '-w', ws);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/\/etc\/hostname/);
  });
});
