import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticSegmentationDataset, type SyntheticSegmentationDataset } from '../../main/datasets/testing/writeSyntheticSegmentationDataset';
import { trainKillRound } from './killRound';

// Kill -9 during `med3d train`; the exact resume after such a kill is main/cli/commands/train.test.ts.
let dir: string;
let data: SyntheticSegmentationDataset;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-trainkill-'));
  data = await writeSyntheticSegmentationDataset(path.join(dir, 'msd'), { layout: 'msd', trainCases: 3, testCases: 0, size: 'tiny', seed: 9 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kill -9 during med3d train', () => {
  it('3 rounds (first checkpoint, mid-run, near the end): every file left behind loads', async () => {
    // Concurrent runs (separate output folders): the wall time of one run, not three.
    const left = await Promise.all([0, 400, 1500].map((delayMs, round) => trainKillRound(data.root, path.join(dir, `run${round}`), delayMs, round)));
    expect(new Set(left.flat()).has('m.checkpoint.m3d')).toBe(true);
  }, 120_000);
});
