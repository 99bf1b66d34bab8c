import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Vec3, Volume } from '../../volume/Volume';
import { applyAffine, invert } from '../../volume/geometry/affine';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';
import type { CoordFrame } from '../Dataset';
import { gridFor } from './syntheticOrganCase';

export interface SyntheticNoduleOptions {
  /** Number of volumes (default 4). */
  volumes?: number;
  /** Nodules per volume (default 5); classes alternate, so about half are malignant. */
  nodulesPerVolume?: number;
  seed?: number;
  /** 'bench': ~100×100×80 mm at ~1 mm (like LUNA16 crops); 'tiny' for unit tests: 64×64×48 mm at ~2 mm. */
  size?: 'tiny' | 'bench';
  /** Frame of x, y, z in the CSV (default 'lps', as LUNA16 writes them). */
  coords?: CoordFrame;
  /** Write `label` 0/1 instead of `malignancy` 1–5 (default false). */
  labelColumn?: boolean;
  /** CSV file name (default 'nodules.csv'). */
  csvName?: string;
}

export interface SyntheticNodule {
  image: string;
  /** World RAS mm. */
  centreRas: Vec3;
  /** As written to the CSV, in the chosen frame. */
  csvCentre: Vec3;
  diameterMm: number;
  malignancy: number;
  label: 0 | 1;
}

export interface SyntheticNoduleDataset {
  root: string;
  csv: string;
  nodules: SyntheticNodule[];
}

const SIZES = {
  tiny: { fov: [64, 64, 48] as Vec3, inPlane: [1.8, 2.2], slice: [2, 2.5] },
  bench: { fov: [100, 100, 80] as Vec3, inPlane: [0.8, 1.1], slice: [1, 1.6] },
} as const;

interface NoduleShape {
  centre: Vec3;
  radius: number;
  malignant: boolean;
  /** Spiculation harmonics (amplitude, frequency, phase) for malignant nodules. */
  spikes: number[];
}

/** HU-like value at a world point: lung parenchyma, smooth solid benign nodules, lobulated heterogeneous malignant ones. */
function valueAt(p: Vec3, nodules: NoduleShape[], rng: SeededRandom): number {
  for (const n of nodules) {
    const d = [p[0] - n.centre[0], p[1] - n.centre[1], p[2] - n.centre[2]];
    const r = Math.hypot(d[0], d[1], d[2]);
    if (r > n.radius * 1.6) continue;
    if (!n.malignant) {
      if (r <= n.radius) return 40 + 15 * rng.normal();
      continue;
    }
    const theta = Math.atan2(d[1], d[0]);
    const phi = Math.atan2(d[2], Math.hypot(d[0], d[1]));
    const s = n.spikes;
    const bound = n.radius * (1 + s[0] * Math.sin(s[1] * theta + s[2]) * Math.cos(s[1] * phi) + s[3] * Math.sin(s[4] * phi + s[5]));
    // Heterogeneous interior: a denser core and a speckled rim.
    if (r <= bound) return (r < 0.5 * bound ? 80 : -150) + 90 * rng.normal();
  }
  return -820 + 35 * rng.normal();
}

/**
 * Write a nodule malignancy dataset in the LUNA16 / LIDC CSV style: NIfTI volumes (each with its own
 * spacing and axis order) holding benign (small, smooth, solid) and malignant (larger, lobulated,
 * heterogeneous) nodules, and a CSV with `image`, `x`, `y`, `z` (world LPS by default), `diameter_mm` and
 * `malignancy` (benign 1–3, malignant 4–5) or `label`.
 */
export async function writeSyntheticNoduleDataset(root: string, o: SyntheticNoduleOptions = {}): Promise<SyntheticNoduleDataset> {
  const rng = seededRandom(o.seed ?? 7);
  const size = SIZES[o.size ?? 'bench'];
  const coords = o.coords ?? 'lps';
  const perVolume = o.nodulesPerVolume ?? 5;
  const nodules: SyntheticNodule[] = [];
  await mkdir(path.join(root, 'volumes'), { recursive: true });
  for (let v = 0; v < (o.volumes ?? 4); v++) {
    const axes = ['LPS', 'RAS', 'LAS', 'RPS'][v % 4];
    const inPlane = rng.uniform(size.inPlane[0], size.inPlane[1]);
    const spacing: Vec3 = [inPlane, inPlane, rng.uniform(size.slice[0], size.slice[1])];
    const centre: Vec3 = [rng.uniform(-80, 80), rng.uniform(-60, 60), rng.uniform(-200, -100)];
    const grid = gridFor(axes, spacing, size.fov, centre);
    const shapes: NoduleShape[] = [];
    for (let n = 0; n < perVolume; n++) {
      const malignant = (v * perVolume + n) % 2 === 1;
      const radius = malignant ? rng.uniform(5, 8.5) : rng.uniform(2.5, 6);
      // Keep nodules apart and a few mm inside the field of view.
      for (let tries = 0; tries < 200; tries++) {
        const c = [0, 1, 2].map((a) => centre[a] + rng.uniform(-(size.fov[a] / 2 - radius - 6), size.fov[a] / 2 - radius - 6)) as Vec3;
        if (shapes.every((s) => Math.hypot(s.centre[0] - c[0], s.centre[1] - c[1], s.centre[2] - c[2]) > 1.6 * (s.radius + radius) + 4)) {
          const spikes = [rng.uniform(0.15, 0.3), rng.int(4, 7), rng.uniform(0, 6.3), rng.uniform(0.1, 0.2), rng.int(3, 5), rng.uniform(0, 6.3)];
          shapes.push({ centre: c, radius, malignant, spikes });
          break;
        }
      }
    }
    const [nx, ny, nz] = grid.dims;
    const data = new Int16Array(nx * ny * nz);
    let p = 0;
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, p++) data[p] = Math.round(valueAt(applyAffine(grid.affine, [i, j, k]), shapes, rng));
    const vol: Volume = { data, dims: grid.dims, spacing, affine: grid.affine, meta: { warnings: [], modality: 'CT' } };
    const image = path.join(root, 'volumes', `vol_${String(v).padStart(3, '0')}.nii.gz`);
    await writeNifti(image, vol);
    const toVoxel = invert(grid.affine);
    for (const s of shapes) {
      const csvCentre: Vec3 = coords === 'ras' ? s.centre : coords === 'lps' ? [-s.centre[0], -s.centre[1], s.centre[2]] : applyAffine(toVoxel, s.centre);
      const malignancy = s.malignant ? rng.int(4, 5) : rng.int(1, 3);
      nodules.push({ image, centreRas: s.centre, csvCentre, diameterMm: 2 * s.radius, malignancy, label: s.malignant ? 1 : 0 });
    }
  }
  const csv = path.join(root, o.csvName ?? 'nodules.csv');
  const header = ['image', 'x', 'y', 'z', 'diameter_mm', o.labelColumn ? 'label' : 'malignancy'];
  const lines = nodules.map((n) =>
    [path.relative(root, n.image).split(path.sep).join('/'), ...n.csvCentre.map((x) => x.toFixed(3)), n.diameterMm.toFixed(2), o.labelColumn ? n.label : n.malignancy].join(','),
  );
  await writeFile(csv, `${header.join(',')}\n${lines.join('\n')}\n`);
  return { root, csv, nodules };
}
