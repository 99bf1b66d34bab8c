import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { med3d } from '../../../test/med3dCli';
import { REPO_ROOT } from '../../../test/sharedDir';
import { canonicalSpacing } from '../../datasets/canonicalSpacing';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../datasets/testing/writeSyntheticSegmentationDataset';
import { loadWeights } from '../../engine/weights/loadWeights';
import { backboneLayout } from '../../engine/weights/resnetLayout';
import { loadDatasetImage } from '../../datasets';
import { medianSpacing } from '../../volume/preprocess/spacing';
import type { Vec3 } from '../../volume/Volume';

/**
 * `med3d pretrain` end to end on two tiny synthetic datasets with different label tables: one
 * encoder (.m3d + MedicalNet .pth) that `train --weights` can take, one branch per dataset with
 * its own class count, per-dataset median spacing, exact resume after an interruption.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-pretrain-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let a: SyntheticSegmentationDataset;
let b: SyntheticSegmentationDataset;
beforeAll(async () => {
  a = await writeSyntheticSegmentationDataset(path.join(tmp, 'a'), { layout: 'msd', size: 'tiny', trainCases: 3, testCases: 0, seed: 5, name: 'Organs' });
  b = await writeSyntheticSegmentationDataset(path.join(tmp, 'b'), {
    layout: 'nnunet-v2',
    size: 'tiny',
    trainCases: 3,
    testCases: 0,
    seed: 6,
    name: 'Spleen',
    organs: [{ value: 1, name: 'spleen', intensity: 60, offsetMm: [20, -5, 5], radiiMm: [18, 14, 20] }],
  });
}, 60_000);

const tiny = ['--width', '2', '--patch', '16,16,16', '--batch-size', '1', '--seed', '3'];
const args = (out: string): string[] => ['pretrain', '--data', a.root, '--data', b.root, '--out', out, '--steps', '4', ...tiny];
const out = path.join(tmp, 'run1', 'encoder.m3d');
const pth = path.join(tmp, 'run1', 'encoder.pth');

async function medianOf(ds: SyntheticSegmentationDataset, ids: string[]): Promise<Vec3> {
  const spacings: Vec3[] = [];
  for (const c of ds.cases.filter((x) => ids.includes(x.id))) spacings.push(canonicalSpacing((await loadDatasetImage(c.image)).affine));
  return medianSpacing(spacings).map((s) => +s.toFixed(4)) as Vec3;
}

describe('med3d pretrain', () => {
  it('writes the encoder (.m3d, .pth), the branches model and metrics; each dataset keeps its own spacing and labels', async () => {
    const r = med3d([...args(out), '--pth', pth, '--json']);
    expect(r.stderr).toMatch(/med3d pretrain: pretrain, ResNet-10 width 2, 2 branches \(Organs, Spleen\)/);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; step?: number });
    expect(events.filter((e) => e.event === 'step').map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)!.event).toBe('done');

    const layout = [...backboneLayout({ depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 }).keys()];
    for (const f of [out, pth]) {
      const w = await loadWeights(f);
      expect(w.spec.head.kind, f).toBe('none');
      expect([...w.stateDict.keys()], f).toEqual(layout);
    }
    const enc = await loadWeights(out);
    expect(enc.checkpoint!.meta.task).toBe('pretrained-encoder');
    const branches = await loadWeights(path.join(tmp, 'run1', 'encoder.branches.m3d'));
    expect(branches.spec.head).toEqual({ kind: 'multi-domain', classesPerDomain: [3, 2] });
    expect([...enc.stateDict.get('layer1.0.conv1.weight')!.data]).toEqual([...branches.stateDict.get('layer1.0.conv1.weight')!.data]);

    const metrics = JSON.parse(readFileSync(path.join(tmp, 'run1', 'metrics.json'), 'utf8')) as {
      steps: number;
      domains: { name: string; labels: { value: number; name: string }[]; preprocessing: { spacing: Vec3 }; trainingCases: string[] }[];
      best: { step: number; metrics: Record<string, number> };
    };
    expect(metrics.steps).toBe(4);
    expect(metrics.domains.map((d) => d.name)).toEqual(['Organs', 'Spleen']);
    expect(metrics.domains[1].labels).toEqual([{ value: 0, name: 'background' }, { value: 1, name: 'spleen' }]);
    expect(metrics.domains[0].preprocessing.spacing).toEqual(await medianOf(a, metrics.domains[0].trainingCases));
    expect(metrics.domains[1].preprocessing.spacing).toEqual(await medianOf(b, metrics.domains[1].trainingCases));
    // Pretraining keeps its last weights (the whole budget), reporting the branches' held-out Dice.
    expect(metrics.best.step).toBe(4);
    expect(Object.keys(metrics.best.metrics).sort()).toEqual(['dice', 'dice/Organs', 'dice/Spleen', 'step']);
  }, 120_000);

  it('med3d train --weights takes the MedicalNet-layout .pth (the encoder under a new head)', () => {
    const r = med3d(['train', '--task', 'segment', '--data', b.root, '--weights', pth, '--out', path.join(tmp, 'fromPth', 'model.m3d'), '--steps', '1', '--patch', '16,16,16', '--batch-size', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/starting from the encoder of .*encoder\.pth; new lung-decoder head/);
    expect(r.stderr).toMatch(/ResNet-10 width 2 lung-decoder/);
  }, 120_000);

  it('--resume after Ctrl-C ends with exactly the weights of the uninterrupted run above', async () => {
    const whole = out;
    const part = path.join(tmp, 'part', 'enc.m3d');
    const first = await interruptAfterStep([...args(part), '--json'], 2);
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/interrupted at step \d: checkpoint .*enc\.checkpoint\.m3d/);
    expect(existsSync(part)).toBe(false);
    const second = med3d([...args(part), '--resume']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resuming from .*enc\.checkpoint\.m3d/);
    const w1 = (await loadWeights(whole)).stateDict;
    const w2 = (await loadWeights(part)).stateDict;
    for (const [k, t] of w1) expect([...w2.get(k)!.data], k).toEqual([...t.data]);
  }, 180_000);
});

/** Runs the CLI with --json and sends Ctrl-C (SIGINT) once step `n` is reported. */
function interruptAfterStep(args: string[], n: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && out.split('\n').some((l) => l.startsWith('{') && l.endsWith('}') && (JSON.parse(l) as { event: string; step?: number }).event === 'step' && (JSON.parse(l) as { step: number }).step >= n)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err });
    });
  });
}
