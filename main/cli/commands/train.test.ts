import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, REPO_ROOT, sharedAvailable } from '../../../test/sharedDir';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import { writeSyntheticNoduleDataset } from '../../datasets/testing/writeSyntheticNoduleDataset';
import { readCheckpoint } from '../../engine/weights/checkpoint';
import { loadVolume } from '../../volume/io/loadVolume';

/**
 * `med3d train` and `med3d batch --model` end to end through the CLI on synthetic datasets written
 * in code (MSD layout, each case with its own spacing and axis order; a LUNA16-style nodule CSV).
 * Tiny models and budgets: this checks the wiring, files and exact resume, not learning quality
 * (that is `npm run bench:learning`).
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLI = [path.join(REPO_ROOT, 'bin/med3d.mjs')];
function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--width', '2', '--patch', '16,16,16', '--batch-size', '1'];
let seg: SyntheticSegmentationDataset;

beforeAll(async () => {
  seg = await writeSyntheticSegmentationDataset(path.join(dir, 'msd'), { layout: 'msd', trainCases: 4, testCases: 1, size: 'tiny', seed: 5 });
}, 120_000);

describe('med3d train (CLI)', () => {
  // Generous timeouts: these spawn the CLI, and a machine shared with other jobs can be slow.
  it('segment: trains, writes model + metrics.json + curves; batch --model writes masks on each source grid with the dataset labels', async () => {
    const out = path.join(dir, 'seg', 'model.m3d');
    const r = med3d('train', '--task', 'segment', '--data', seg.root, '--out', out, '--steps', '3', ...TINY, '--json');
    expect(r.stderr).not.toMatch(/med3d: /);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; step?: number; metrics?: Record<string, number> });
    expect(events[0].event).toBe('log');
    expect(events.filter((e) => e.event === 'step').map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.event === 'validation').length).toBe(3);
    expect(events.at(-1)!.event).toBe('done');

    const ck = await readCheckpoint(out);
    expect(ck.optimizer).toBeUndefined();
    expect(ck.meta.task).toBe('segmentation');
    expect(ck.meta.labels).toEqual(seg.labels.map((l) => ({ value: l.value, name: l.name })));
    const pre = ck.meta.preprocessing as { spacing: number[]; window: number[]; orientation: string };
    expect(pre.window).toEqual([16, 16, 16]);
    expect(pre.orientation).toBe('RAS');
    expect(pre.spacing.every((s) => s > 4 && s < 8)).toBe(true);
    expect(ck.spec.head).toMatchObject({ kind: 'lung-decoder', classes: 3 });

    const metrics = JSON.parse(readFileSync(path.join(dir, 'seg', 'metrics.json'), 'utf8')) as { steps: number; best: { metrics: Record<string, number> }; history: unknown[]; trainingCases: string[]; validationCases: string[] };
    expect(metrics.steps).toBe(3);
    expect(metrics.best.metrics.dice).toBeGreaterThanOrEqual(0);
    expect(metrics.trainingCases.length + metrics.validationCases.length).toBe(4);
    expect(metrics.validationCases.length).toBe(1);
    expect(metrics.history.length).toBe(6);
    expect(readFileSync(path.join(dir, 'seg', 'learning-curves.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(path.join(dir, 'seg', 'learning-curves.png')).subarray(1, 4).toString()).toBe('PNG');

    const test = seg.cases.find((c) => c.split === 'test')!;
    const b = med3d('batch', '--model', out, '--in', path.dirname(test.image), '--out', path.join(dir, 'seg', 'masks'));
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/segment, ResNet-10 w2, labels 1=organ, 2=lesion/);
    const img = await loadVolume(test.image);
    const mask = await loadVolume(path.join(dir, 'seg', 'masks', `${test.id}.segment.nii.gz`));
    expect(mask.dims).toEqual(img.dims);
    expect(Array.from(mask.affine).map((v) => +v.toFixed(3))).toEqual(Array.from(img.affine).map((v) => +v.toFixed(3)));
    expect([...new Set(mask.data)].every((v) => [0, 1, 2].includes(v))).toBe(true);
  }, 300_000);

  it('kill -9 mid-training, then the same command with --resume ends with exactly the uninterrupted weights', async () => {
    const args = (out: string): string[] => ['train', '--task', 'segment', '--data', seg.root, '--out', out, '--steps', '4', ...TINY, '--seed', '3', '--checkpoint-every', '0.001'];
    const straight = path.join(dir, 'straight', 'm.m3d');
    expect(med3d(...args(straight)).code).toBe(0);

    const killed = path.join(dir, 'killed', 'm.m3d');
    const ckpt = path.join(dir, 'killed', 'm.checkpoint.m3d');
    const child = spawn(process.execPath, [...CLI, ...args(killed)], { cwd: REPO_ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    // Kill as soon as a checkpoint exists: the run is somewhere in the middle.
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (existsSync(ckpt)) {
          clearInterval(t);
          child.kill('SIGKILL');
          res();
        }
      }, 20);
    });
    await exited;
    const mid = await readCheckpoint(ckpt); // every file present after the kill loads
    expect(mid.optimizer!.step).toBeLessThan(4);

    const r = med3d(...args(killed), '--resume');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/resuming from/);
    const a = await readCheckpoint(straight);
    const b = await readCheckpoint(killed);
    expect(b.meta.bestStep).toBe(a.meta.bestStep);
    for (const [k, t] of a.stateDict) expect(Array.from(b.stateDict.get(k)!.data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
  }, 300_000);

  it('nodule: trains a GAP + FC classifier from a LUNA16-style CSV', async () => {
    const nod = await writeSyntheticNoduleDataset(path.join(dir, 'nod'), { volumes: 2, nodulesPerVolume: 4, size: 'tiny', seed: 2 });
    const out = path.join(dir, 'nodmodel', 'nodule.m3d');
    const r = med3d('train', '--task', 'nodule', '--data', nod.csv, '--out', out, '--steps', '2', '--width', '2', '--batch-size', '2', '--patch', '16,16,16');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/training nodule/);
    const ck = await readCheckpoint(out);
    expect(ck.meta.task).toBe('nodule-malignancy');
    expect(ck.spec.head).toEqual({ kind: 'classifier', classes: 2 });
    expect(ck.meta.preprocessing).toMatchObject({ patchSpacingMm: 1, window: [16, 16, 16] });
    expect(Object.keys(ck.meta.metrics as object)).toEqual(expect.arrayContaining(['auc', 'accuracy']));
  }, 300_000);

  it.skipIf(!sharedAvailable('MedicalNet fixtures (train --weights)'))('--weights: an encoder-only MedicalNet .pth under the task head, with --freeze, --head-lr-mult and --val', async () => {
    const out = path.join(dir, 'pretrained', 'm.m3d');
    const r = med3d('train', '--task', 'segment', '--data', seg.root, '--val', seg.root, '--out', out, '--steps', '1', '--patch', '16,16,16', '--batch-size', '1', '--weights', path.join(FIXTURES_DIR, 'enc_d10_B_w8.legacy.pth'), '--freeze', 'conv1,layer1', '--head-lr-mult', '10');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/starting from the encoder of .*enc_d10_B_w8\.legacy\.pth; new lung-decoder head/);
    expect(r.stderr).toMatch(/4 training \/ 5 validation/); // --val: every labelled case of that dataset
    const ck = await readCheckpoint(out);
    expect(ck.spec.backbone).toMatchObject({ depth: 10, baseWidth: 8, shortcut: 'B' });
    expect(ck.meta.trainConfig).toMatchObject({ lr: 1e-3, headLrMult: 10, freeze: ['conv1', 'layer1'] });
  }, 300_000);

  it('bad input: a one-line error naming the problem', () => {
    const r = med3d('train', '--task', 'segment', '--data', path.join(dir, 'missing'), '--out', path.join(dir, 'x.m3d'), '--steps', '1');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^med3d: .*missing/);
    const t = med3d('train', '--task', 'nodule', '--data', seg.root, '--out', path.join(dir, 'x.m3d'), '--steps', '1');
    expect(t.stderr).toMatch(/classification CSV/);
  }, 300_000);
});
