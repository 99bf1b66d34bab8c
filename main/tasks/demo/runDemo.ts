import path from 'node:path';
import type { Vec3 } from '../../volume/Volume';
import { atomicWriteJson } from '../../util/atomicWrite';
import { generateCtPhantom, type PhantomNodule } from '../phantom/ctPhantom';
import { segmentLungs, type LungPredictor } from '../lung/segmentLungs';
import { LUNG_LABELS } from '../lung/lungLabels';
import { dice, labelVolumesMl } from '../mask/maskMetrics';
import { writeNiftiFile } from '../io/writeMask';

/**
 * The README's "main job on a bundled default": generate the CT phantom, run the lung task
 * (cold start, or a model), write the scan, the mask, the true masks and a JSON report.
 */
export interface DemoOptions {
  outDir: string;
  seed?: number;
  dims?: Vec3;
  model?: LungPredictor;
  log?: (line: string) => void;
}

export interface DemoReport {
  tool: 'med3d demo';
  createdAt: string;
  phantom: { seed: number; dims: Vec3; spacingMm: Vec3; generateMs: number; nodules: PhantomNodule[] };
  lung: {
    method: 'cold-start' | 'model';
    timeMs: number;
    volumesMl: { right: number; left: number; total: number };
    truthVolumesMl: { right: number; left: number; total: number };
    dice: { right: number; left: number; lungs: number };
    notes: string[];
  };
  files: { ct: string; lungMask: string; truthLungs: string; truthLiver: string; truthNodules: string; report: string };
}

export async function runDemo(opts: DemoOptions): Promise<DemoReport> {
  const log = opts.log ?? ((): void => undefined);
  const outDir = path.resolve(opts.outDir);
  const seed = opts.seed ?? 1;
  const t0 = performance.now();
  const ph = generateCtPhantom({ seed, dims: opts.dims });
  const generateMs = performance.now() - t0;
  log(`phantom: ${ph.ct.dims.join('x')} voxels, ${ph.ct.spacing.map((s) => s.toFixed(2)).join('x')} mm, ${ph.nodules.length} nodules (${generateMs.toFixed(0)} ms)`);

  const seg = await segmentLungs(ph.ct, { model: opts.model });
  const truthV = labelVolumesMl(ph.truth.lungs);
  const tr = truthV.get(LUNG_LABELS.right) ?? 0;
  const tl = truthV.get(LUNG_LABELS.left) ?? 0;
  const files = {
    ct: path.join(outDir, 'ct.nii.gz'),
    lungMask: path.join(outDir, 'lung_mask.nii.gz'),
    truthLungs: path.join(outDir, 'truth_lungs.nii.gz'),
    truthLiver: path.join(outDir, 'truth_liver.nii.gz'),
    truthNodules: path.join(outDir, 'truth_nodules.nii.gz'),
    report: path.join(outDir, 'report.json'),
  };
  const report: DemoReport = {
    tool: 'med3d demo',
    createdAt: new Date().toISOString(),
    phantom: { seed, dims: ph.ct.dims, spacingMm: ph.ct.spacing, generateMs, nodules: ph.nodules },
    lung: {
      method: seg.method,
      timeMs: seg.timeMs,
      volumesMl: seg.volumesMl,
      truthVolumesMl: { right: tr, left: tl, total: tr + tl },
      dice: {
        right: dice(seg.mask.data, ph.truth.lungs.data, LUNG_LABELS.right, LUNG_LABELS.right),
        left: dice(seg.mask.data, ph.truth.lungs.data, LUNG_LABELS.left, LUNG_LABELS.left),
        lungs: dice(seg.mask.data, ph.truth.lungs.data),
      },
      notes: seg.notes,
    },
    files,
  };
  await writeNiftiFile(files.ct, ph.ct);
  await writeNiftiFile(files.lungMask, seg.mask);
  await writeNiftiFile(files.truthLungs, ph.truth.lungs);
  await writeNiftiFile(files.truthLiver, ph.truth.liver);
  await writeNiftiFile(files.truthNodules, ph.truth.nodules);
  await atomicWriteJson(files.report, report);
  const l = report.lung;
  log(`lung (${l.method}, ${l.timeMs.toFixed(0)} ms): right ${l.volumesMl.right.toFixed(0)} mL, left ${l.volumesMl.left.toFixed(0)} mL (truth ${tr.toFixed(0)} / ${tl.toFixed(0)} mL)`);
  log(`Dice vs truth: right ${l.dice.right.toFixed(4)}, left ${l.dice.left.toFixed(4)}, lungs ${l.dice.lungs.toFixed(4)}`);
  log(`wrote ${outDir}: ct.nii.gz, lung_mask.nii.gz, truth_*.nii.gz, report.json`);
  return report;
}
