import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Vec3 } from '../main/volume/Volume';
import { writeNifti } from '../main/volume/io/nifti/writeNifti';
import { LUNG_LABEL_TABLE } from '../main/tasks/lung/lungLabels';
import { generateCtPhantom } from '../main/tasks/phantom/ctPhantom';

/**
 * The patients of the clinician-loop benchmark: CT phantoms (main/tasks/phantom, one seed per
 * patient, so body size, vessels, nodules and noise differ) with their true lung masks. The pool
 * is a labelled MSD folder (imagesTr/labelsTr + dataset.json) for `importDataset`: the cases a
 * clinician has corrected. The held-out patients are plain scans with their truth kept beside
 * them, never shown to the workspace as labels, so no fine-tune trains or validates on them.
 */
export interface LoopCasesOptions {
  /** Labelled cases in the dataset folder. */
  pool: number;
  /** Unlabelled cases whose truth scores the active model. */
  heldOut: number;
  /** Grid of every phantom (i, j, k); the field of view stays the phantom's default 400 × 400 × 320 mm. */
  dims: Vec3;
  /** Seed of the first patient; patient n uses seed + n. */
  seed: number;
  /** White noise of the scans, HU (default the phantom's 12): noisier scans are harder for the cold-start threshold. */
  noiseHu?: number;
}

export interface LoopCases {
  /** The MSD folder of the pool. */
  dataset: string;
  /** Pool case file stems in dataset order (lung_000, lung_001, …). */
  pool: string[];
  heldOut: Array<{ id: string; image: string; truth: string }>;
}

export async function writeLoopCases(root: string, o: LoopCasesOptions): Promise<LoopCases> {
  const dataset = path.join(root, 'dataset');
  const heldDir = path.join(root, 'held-out');
  await Promise.all(['imagesTr', 'labelsTr'].map((d) => mkdir(path.join(dataset, d), { recursive: true })));
  await mkdir(heldDir, { recursive: true });
  const pool: string[] = [];
  const heldOut: LoopCases['heldOut'] = [];
  for (let n = 0; n < o.pool + o.heldOut; n++) {
    const p = generateCtPhantom({ dims: o.dims, seed: o.seed + n, ...(o.noiseHu !== undefined ? { noiseHu: o.noiseHu } : {}) });
    const id = `lung_${String(n).padStart(3, '0')}`;
    if (n < o.pool) {
      await writeNifti(path.join(dataset, 'imagesTr', `${id}.nii.gz`), p.ct, { compressionLevel: 1 });
      await writeNifti(path.join(dataset, 'labelsTr', `${id}.nii.gz`), p.truth.lungs, { compressionLevel: 1 });
      pool.push(id);
    } else {
      const image = path.join(heldDir, `${id}.nii.gz`);
      const truth = path.join(heldDir, `${id}-truth.nii.gz`);
      await writeNifti(image, p.ct, { compressionLevel: 1 });
      await writeNifti(truth, p.truth.lungs, { compressionLevel: 1 });
      heldOut.push({ id, image, truth });
    }
  }
  const json = {
    name: 'ClinicianLoopLungs',
    description: 'CT phantoms with true lung masks (Med3D Workstation clinician-loop benchmark)',
    tensorImageSize: '3D',
    modality: { '0': 'CT' },
    labels: { '0': 'background', ...Object.fromEntries(LUNG_LABEL_TABLE.map((l) => [String(l.value), l.name])) },
    numTraining: pool.length,
    numTest: 0,
    training: pool.map((id) => ({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` })),
    test: [],
  };
  await writeFile(path.join(dataset, 'dataset.json'), `${JSON.stringify(json, null, 2)}\n`);
  return { dataset, pool, heldOut };
}
