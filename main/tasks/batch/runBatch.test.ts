import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile, stat, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { readNifti } from '../../volume/io/nifti/readNifti';
import { discoverCases, inShard, parseShard } from './discoverCases';
import { runBatch, type CaseRecord } from './runBatch';
import { REPO_ROOT } from '../../../test/sharedDir';

const run = promisify(execFile);
let dir = '';
let inDir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'med3d-batch-'));
  inDir = path.join(dir, 'in');
  await mkdir(path.join(inDir, 'site-b'), { recursive: true });
  for (const [seed, rel] of [
    [1, 'p1.nii.gz'],
    [2, 'site-b/p2.nii.gz'],
  ] as const) {
    const ph = generateCtPhantom({ dims: [64, 64, 40], seed });
    await writeNifti(path.join(inDir, rel), ph.ct);
    if (seed === 1) await writeNifti(path.join(inDir, 'p1_ref.nii.gz'), ph.truth.lungs);
  }
  // Gzip magic, then garbage: looks like NIfTI by name and first bytes, fails in the reader.
  await writeFile(path.join(inDir, 'broken.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('discoverCases / sharding', () => {
  it('finds NIfTI cases recursively and pairs reference masks', async () => {
    const cases = await discoverCases(inDir);
    expect(cases.map((c) => c.id)).toEqual(['broken', 'p1', 'site-b/p2']);
    expect(cases.find((c) => c.id === 'p1')?.reference).toMatch(/p1_ref\.nii\.gz$/);
  });
  it('splits deterministically into disjoint shards covering every case', async () => {
    const cases = await discoverCases(inDir);
    const ids = Array.from({ length: 40 }, (_, i) => ({ ...cases[0], id: `case-${i}` }));
    const shards = [0, 1, 2].map((index) => ids.filter((c) => inShard(c, { index, count: 3 })).map((c) => c.id));
    expect(shards.flat().sort()).toEqual(ids.map((c) => c.id).sort());
    expect(shards.every((s) => s.length > 0)).toBe(true);
    expect(() => parseShard('3/3')).toThrow(/0 <= i < N/);
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
  });
});

describe('runBatch (lung, cold start)', () => {
  it('writes every good case, reports the corrupt one and exits 2; --resume skips finished cases', async () => {
    const outDir = path.join(dir, 'out');
    const warnings: string[] = [];
    const s = await runBatch({ task: 'lung', inDir, outDir, warn: (l) => warnings.push(l) });
    expect(s.exitCode).toBe(2);
    expect(s.ok).toBe(2);
    expect(s.failed).toBe(1);
    expect(warnings.join('\n')).toMatch(/broken.*broken\.nii\.gz/);
    const mask = await readNifti(path.join(outDir, 'site-b/p2.lung.nii.gz'));
    expect(mask.dims).toEqual([64, 64, 40]);
    const report = JSON.parse(await readFile(s.reportJson, 'utf8')) as { cases: CaseRecord[] };
    const p1 = report.cases.find((c) => c.id === 'p1')!;
    expect(p1.status).toBe('ok');
    expect(p1.dice!.all).toBeGreaterThan(0.9);
    expect(p1.volumesMl!['right lung']).toBeGreaterThan(1000);
    const broken = report.cases.find((c) => c.id === 'broken')!;
    expect(broken.status).toBe('failed');
    expect(broken.error).toMatch(/broken\.nii\.gz/);
    const csv = (await readFile(s.reportCsv, 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^case,input,task,method,status,time_s,output,volume_ml_left_lung,volume_ml_right_lung,dice_all/);
    expect(csv).toHaveLength(4);

    const mtime = (await stat(path.join(outDir, 'p1.lung.nii.gz'))).mtimeMs;
    const again = await runBatch({ task: 'lung', inDir, outDir, resume: true, warn: () => undefined });
    expect(again.skipped).toBe(2);
    expect(again.failed).toBe(1);
    expect(again.exitCode).toBe(2);
    expect((await stat(path.join(outDir, 'p1.lung.nii.gz'))).mtimeMs).toBe(mtime);
  });

  it('exits 1 when nothing can run (empty folder, task without model)', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    expect((await runBatch({ task: 'lung', inDir: empty, outDir: path.join(dir, 'o2'), warn: () => undefined })).exitCode).toBe(1);
    const msgs: string[] = [];
    const s = await runBatch({ task: 'liver', inDir, outDir: path.join(dir, 'o3'), warn: (l) => msgs.push(l) });
    expect(s.exitCode).toBe(1);
    expect(msgs.join(' ')).toMatch(/needs a model/);
  });

  it('writes DICOM SEG when asked (--format dicom-seg)', async () => {
    const outDir = path.join(dir, 'seg-out');
    const s = await runBatch({ task: 'lung', inDir: path.join(inDir, 'site-b'), outDir, format: 'dicom-seg', warn: () => undefined });
    expect(s.exitCode).toBe(0);
    const bytes = await readFile(path.join(outDir, 'p2.lung.seg.dcm'));
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    expect(bytes.includes(Buffer.from('right lung'))).toBe(true);
  });

  it('med3d batch CLI: exit code 2 and reports on disk', async () => {
    const outDir = path.join(dir, 'cli-out');
    const r = await run(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), 'batch', '--task', 'lung', '--in', inDir, '--out', outDir, '--shard', '0/1'], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken/);
    expect((await readdir(outDir)).sort()).toEqual(expect.arrayContaining(['p1.lung.nii.gz', 'report.csv', 'report.json', 'site-b']));
  });
});
