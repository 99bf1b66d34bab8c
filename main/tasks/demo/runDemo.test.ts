import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from './runDemo';
import { readNifti } from '../../volume/io/nifti/readNifti';

describe('runDemo (med3d demo)', () => {
  it('writes scan, lung mask, truth and a report whose Dice matches the files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'med3d-demo-'));
    try {
      const lines: string[] = [];
      const report = await runDemo({ outDir: dir, dims: [96, 96, 64], seed: 2, log: (l) => lines.push(l) });
      expect(report.lung.method).toBe('cold-start');
      expect(report.lung.dice.lungs).toBeGreaterThanOrEqual(0.95);
      expect(report.lung.volumesMl.total).toBeGreaterThan(2000);
      const onDisk = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as typeof report;
      expect(onDisk.lung.dice.lungs).toBeCloseTo(report.lung.dice.lungs, 10);
      const mask = await readNifti(path.join(dir, 'lung_mask.nii.gz'));
      const ct = await readNifti(path.join(dir, 'ct.nii.gz'));
      expect(mask.dims).toEqual([96, 96, 64]);
      expect(Array.from(mask.affine)).toEqual(Array.from(ct.affine).map((x) => expect.closeTo(x, 4)));
      let vox = 0;
      for (const v of mask.data) if (v) vox++;
      expect((vox * mask.spacing[0] * mask.spacing[1] * mask.spacing[2]) / 1000).toBeCloseTo(report.lung.volumesMl.total, 3);
      expect(lines.join('\n')).toMatch(/Dice vs truth/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
