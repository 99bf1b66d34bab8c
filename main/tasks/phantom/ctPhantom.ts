import type { LabelMap, Mat4, Vec3, Volume } from '../../volume/Volume';
import { LUNG_LABELS, LUNG_LABEL_TABLE } from '../lung/lungLabels';
import { seededRandom, type SeededRandom } from '../../util/seededRandom';

/**
 * Procedurally generated chest/upper-abdomen CT phantom with its true masks: the bundled demo
 * scan, the fixture of the task tests and the cohort of the transfer experiment.
 *
 * Anatomy is defined in world millimetres (RAS+, body centred on the origin), so the same seed
 * gives the same patient at any grid size. The grid mimics a DICOM-derived NIfTI: i runs towards
 * the patient's left, j towards posterior, k towards superior (affine diag(-sx, -sy, sz)).
 * HU values follow textbook CT numbers: air -1000, lung -850, fat -100, soft tissue 35-60,
 * liver 60, bone 700; white Gaussian noise (default sigma 12 HU) is added last.
 */

export { LUNG_LABELS };
/** Label values of `truth.nodules` (LIDC malignancy 1-3 → benign, 4-5 → malignant). */
export const NODULE_LABELS = { benign: 1, malignant: 2 } as const;

export interface CtPhantomOptions {
  /** Grid size (i, j, k). Default [160, 160, 96]; [512, 512, 300] for benchmarks. */
  dims?: Vec3;
  /** Voxel size in mm. Default: the field of view divided by dims. */
  spacing?: Vec3;
  /** Field of view in mm when `spacing` is not given. Default [400, 400, 320]. */
  fovMm?: Vec3;
  /** Seed of every random choice (anatomy variation, vessels, nodules, noise). Default 1. */
  seed?: number;
  /** Standard deviation of the white noise, HU. Default 12. */
  noiseHu?: number;
  /** Number of nodules; about half are spiculated "malignant" ones. Default 4. */
  nodules?: number;
  /**
   * Scale of the body and organs (1 = average adult). Default: a seeded value in [0.92, 1.08],
   * so that a cohort of seeds differs in size as well as in detail.
   */
  bodyScale?: number;
}

export interface PhantomNodule {
  id: number;
  /** Centre in world RAS+ mm. */
  centerWorld: Vec3;
  /** Centre as (fractional) voxel indices (i, j, k). */
  centerVoxel: Vec3;
  /** Equivalent-sphere diameter of the painted nodule, mm. */
  diameterMm: number;
  malignant: boolean;
  /** LIDC-style malignancy rating 1..5 (1-3 benign, 4-5 malignant). */
  lidcMalignancy: 1 | 2 | 3 | 4 | 5;
  spiculated: boolean;
  lung: 'left' | 'right';
  /** Number of voxels painted. */
  voxels: number;
}

export interface CtPhantom {
  /** int16 HU. */
  ct: Volume;
  truth: {
    /** 1 = right lung, 2 = left lung (vessels and nodules inside a lung belong to it). */
    lungs: LabelMap;
    /** 1 = liver. */
    liver: LabelMap;
    /** 1 = benign nodule, 2 = malignant nodule. */
    nodules: LabelMap;
  };
  nodules: PhantomNodule[];
  seed: number;
}

interface Ellipsoid {
  c: Vec3;
  r: Vec3;
}

/** Normalised squared radius: < 1 inside. */
function ell(e: Ellipsoid, x: number, y: number, z: number): number {
  const dx = (x - e.c[0]) / e.r[0];
  const dy = (y - e.c[1]) / e.r[1];
  const dz = (z - e.c[2]) / e.r[2];
  return dx * dx + dy * dy + dz * dz;
}

function scaleEll(e: Ellipsoid, s: number, jitter: SeededRandom, amount: number): Ellipsoid {
  const j = (): number => 1 + jitter.uniform(-amount, amount);
  return {
    c: [e.c[0] * s, e.c[1] * s, e.c[2] * s],
    r: [e.r[0] * s * j(), e.r[1] * s * j(), e.r[2] * s * j()],
  };
}

interface Anatomy {
  bodyA: number;
  bodyB: number;
  bodyCy: number;
  lungs: [Ellipsoid, Ellipsoid]; // right, left
  heart: Ellipsoid;
  liver: Ellipsoid;
  spleen: Ellipsoid;
  stomach: Ellipsoid;
  stomachGas: Ellipsoid;
  kidneys: [Ellipsoid, Ellipsoid];
  lungBaseZ: number;
  lungWallNorm: number;
  spine: { cy: number; r: number; canalCy: number; canalR: number };
  aorta: { cx: number; cy: number; r: number };
  trachea: { cy: number; r: number; carinaZ: number };
}

function makeAnatomy(rng: SeededRandom, s: number): Anatomy {
  return {
    bodyA: 165 * s * (1 + rng.uniform(-0.04, 0.04)),
    bodyB: 112 * s * (1 + rng.uniform(-0.05, 0.05)),
    bodyCy: -5 * s,
    lungs: [
      scaleEll({ c: [82, -5, 25], r: [58, 84, 125] }, s, rng, 0.05),
      scaleEll({ c: [-84, -5, 28], r: [56, 84, 122] }, s, rng, 0.05),
    ],
    heart: scaleEll({ c: [-18, 32, 0], r: [58, 50, 55] }, s, rng, 0.05),
    liver: scaleEll({ c: [55, 5, -60], r: [88, 76, 62] }, s, rng, 0.05),
    spleen: scaleEll({ c: [-85, -35, -70], r: [32, 50, 45] }, s, rng, 0.06),
    stomach: scaleEll({ c: [-55, 35, -70], r: [40, 30, 38] }, s, rng, 0.06),
    stomachGas: scaleEll({ c: [-55, 45, -48], r: [24, 16, 11] }, s, rng, 0.1),
    kidneys: [
      scaleEll({ c: [70, -55, -125], r: [26, 30, 48] }, s, rng, 0.05),
      scaleEll({ c: [-72, -55, -118], r: [26, 30, 48] }, s, rng, 0.05),
    ],
    lungBaseZ: -55 * s,
    lungWallNorm: 0.84,
    spine: { cy: -72 * s, r: 20 * s, canalCy: -100 * s, canalR: 8 * s },
    aorta: { cx: -22 * s, cy: -48 * s, r: 12 * s },
    trachea: { cy: -25 * s, r: 9 * s, carinaZ: 75 * s },
  };
}

export function generateCtPhantom(opts: CtPhantomOptions = {}): CtPhantom {
  const dims: Vec3 = opts.dims ?? [160, 160, 96];
  const fov: Vec3 = opts.fovMm ?? [400, 400, 320];
  const spacing: Vec3 = opts.spacing ?? [fov[0] / dims[0], fov[1] / dims[1], fov[2] / dims[2]];
  const seed = opts.seed ?? 1;
  const noise = opts.noiseHu ?? 12;
  const nNodules = opts.nodules ?? 4;
  for (const d of dims) if (!Number.isInteger(d) || d < 8) throw new Error(`phantom: dims must be integers >= 8, got ${dims.join('x')}`);
  for (const d of spacing) if (!(d > 0)) throw new Error(`phantom: spacing must be positive, got ${spacing.join('x')}`);

  const rng = seededRandom(seed);
  const scale = opts.bodyScale ?? rng.uniform(0.92, 1.08);
  const A = makeAnatomy(rng, scale);

  const [nx, ny, nz] = dims;
  const [sx, sy, sz] = spacing;
  // Voxel (i, j, k) → world: x = x0 - i*sx, y = y0 - j*sy, z = z0 + k*sz, centred on 0.
  const x0 = ((nx - 1) / 2) * sx;
  const y0 = ((ny - 1) / 2) * sy;
  const z0 = (-(nz - 1) / 2) * sz;
  const affine: Mat4 = new Float64Array([-sx, 0, 0, x0, 0, -sy, 0, y0, 0, 0, sz, z0, 0, 0, 0, 1]);

  const n = nx * ny * nz;
  const hu = new Float32Array(n);
  const lungs = new Uint8Array(n);
  const liver = new Uint8Array(n);
  const nodules = new Uint8Array(n);

  // Smooth tissue inhomogeneity (a few HU), seeded phases.
  const ph = [rng.uniform(0, 6.28), rng.uniform(0, 6.28), rng.uniform(0, 6.28)];
  const discPeriod = 32 * scale;
  const discPhase = rng.uniform(0, discPeriod);
  const ribPeriod = 24 * scale;
  const ribPhase = rng.uniform(0, ribPeriod);

  const lungRegion = (x: number, y: number, z: number, e: Ellipsoid): boolean => {
    if (ell(e, x, y, z) >= 1) return false;
    if (z < A.lungBaseZ) return false;
    const bx = x / A.bodyA;
    const by = (y - A.bodyCy) / A.bodyB;
    if (bx * bx + by * by >= A.lungWallNorm * A.lungWallNorm) return false;
    // Diaphragm and mediastinum: organs pushed 6 mm into the lung's place.
    if (ell({ c: A.liver.c, r: [A.liver.r[0] + 6, A.liver.r[1] + 6, A.liver.r[2] + 6] }, x, y, z) < 1) return false;
    if (ell({ c: A.spleen.c, r: [A.spleen.r[0] + 10, A.spleen.r[1] + 10, A.spleen.r[2] + 14] }, x, y, z) < 1) return false;
    if (ell({ c: A.stomach.c, r: [A.stomach.r[0] + 8, A.stomach.r[1] + 8, A.stomach.r[2] + 30] }, x, y, z) < 1) return false;
    if (ell({ c: A.heart.c, r: [A.heart.r[0] + 5, A.heart.r[1] + 5, A.heart.r[2] + 5] }, x, y, z) < 1) return false;
    if (Math.abs(x) < 22 * scale) return false; // mediastinum
    const dxs = x;
    const dys = y - A.spine.cy;
    if (dxs * dxs + dys * dys < (A.spine.r + 16) * (A.spine.r + 16)) return false; // paravertebral
    return true;
  };

  for (let k = 0; k < nz; k++) {
    const z = z0 + k * sz;
    const discT = (((z - discPhase) % discPeriod) + discPeriod) % discPeriod;
    const inDisc = discT < 6 * scale;
    const ribT = (((z - ribPhase) % ribPeriod) + ribPeriod) % ribPeriod;
    const inRib = ribT < 9 * scale && z > A.lungBaseZ - 30 && z < A.lungs[0].c[2] + A.lungs[0].r[2] * 0.9;
    const tracheaOn = z >= A.trachea.carinaZ;
    for (let j = 0; j < ny; j++) {
      const y = y0 - j * sy;
      for (let i = 0; i < nx; i++) {
        const x = x0 - i * sx;
        const idx = i + nx * (j + ny * k);
        const bx = x / A.bodyA;
        const by = (y - A.bodyCy) / A.bodyB;
        const br2 = bx * bx + by * by;
        if (br2 >= 1) {
          hu[idx] = -1000;
          continue;
        }
        const br = Math.sqrt(br2);
        // Depth below the skin along the ellipse normal, approximated by the mean radius.
        const depth = (1 - br) * (A.bodyA + A.bodyB) * 0.5;
        let v: number;
        if (depth < 2) v = 30; // skin
        else if (depth < 14 * scale) v = -100 + 8 * Math.sin(x * 0.05 + ph[0]); // subcutaneous fat
        else if (depth < 24 * scale) v = 50; // muscle
        else v = 35 + 5 * Math.sin(y * 0.04 + ph[1]) * Math.cos(z * 0.03 + ph[2]); // soft tissue, mediastinum
        // Ribs: bone band inside the chest wall, not over the sternum.
        if (inRib && br > 0.86 && br < 0.92 && y < 60 * scale) v = 700;
        // Abdominal organs.
        if (ell(A.kidneys[0], x, y, z) < 1 || ell(A.kidneys[1], x, y, z) < 1) v = 30;
        if (ell(A.spleen, x, y, z) < 1) v = 45;
        if (ell(A.stomach, x, y, z) < 1) v = 25;
        if (ell(A.stomachGas, x, y, z) < 1 && ell(A.stomach, x, y, z) < 1.15) v = -1000;
        if (ell(A.liver, x, y, z) < 1 && br < 0.9) {
          v = 60;
          liver[idx] = 1;
        }
        if (ell(A.heart, x, y, z) < 1) v = 40;
        // Descending aorta.
        {
          const dx = x - A.aorta.cx;
          const dy = y - A.aorta.cy;
          if (dx * dx + dy * dy < A.aorta.r * A.aorta.r && z > A.liver.c[2] - 40) v = 42;
        }
        // Spine: vertebral bodies with discs, canal behind them, posterior arch.
        {
          const dy = y - A.spine.cy;
          const r2 = x * x + dy * dy;
          if (r2 < A.spine.r * A.spine.r) v = inDisc ? 80 : 700;
          const cy = y - A.spine.canalCy;
          const c2 = x * x + cy * cy;
          if (c2 < (A.spine.canalR + 5) * (A.spine.canalR + 5) && !inDisc) v = 700;
          if (c2 < A.spine.canalR * A.spine.canalR) v = 15;
        }
        // Lungs: gravity-dependent density (posterior denser).
        for (let side = 0; side < 2; side++) {
          if (lungRegion(x, y, z, A.lungs[side])) {
            v = -860 + 0.25 * (A.bodyCy - y) * 0.3;
            lungs[idx] = side === 0 ? LUNG_LABELS.right : LUNG_LABELS.left;
            break;
          }
        }
        // Trachea above the carina: air lumen with a 2 mm wall.
        if (tracheaOn) {
          const dy = y - A.trachea.cy;
          const r2 = x * x + dy * dy;
          if (r2 < (A.trachea.r + 2) * (A.trachea.r + 2)) v = r2 < A.trachea.r * A.trachea.r ? -1000 : 40;
        }
        hu[idx] = v;
      }
    }
  }

  const grid = { dims, spacing, x0, y0, z0 };
  // Main bronchi from the carina into each lung (air, wall), then intrapulmonary airways.
  const carina: Vec3 = [0, A.trachea.cy, A.trachea.carinaZ];
  for (let side = 0; side < 2; side++) {
    const sgn = side === 0 ? 1 : -1;
    const hilum: Vec3 = [sgn * 55 * scale, A.trachea.cy + 8, A.trachea.carinaZ - 28 * scale];
    const all = (): boolean => true;
    paintTube(grid, hu, carina, hilum, 8, 6, 40, all, true); // bronchial wall
    paintTube(grid, hu, carina, hilum, 6, 4.5, -1000, all, true);
    const tip: Vec3 = [sgn * 80 * scale, A.trachea.cy + 12, A.trachea.carinaZ - 70 * scale];
    paintTube(grid, hu, hilum, tip, 4.5, 3, -1000, (idx) => lungs[idx] !== 0, true);
  }
  // Pulmonary vessel trees (soft tissue inside the lungs, partial-volume edges).
  for (let side = 0; side < 2; side++) {
    const sgn = side === 0 ? 1 : -1;
    const label = side === 0 ? LUNG_LABELS.right : LUNG_LABELS.left;
    for (const [dy, dz] of [[0.3, 0.9], [0.2, -0.6], [-0.8, 0.2]]) {
      const root: Vec3 = [sgn * 55 * scale, 0, 45 * scale];
      growVessels(grid, hu, lungs, label, rng, root, [sgn * 0.7, dy, dz], 4.5 * scale, 0, 5);
    }
  }
  // Liver vessels (hypodense on non-contrast CT).
  for (let t = 0; t < 3; t++) {
    const a: Vec3 = [A.liver.c[0] - 30 * scale, A.liver.c[1] + rng.uniform(-20, 20), A.liver.c[2] + rng.uniform(-20, 20)];
    const b: Vec3 = [a[0] + rng.uniform(30, 70), a[1] + rng.uniform(-30, 30), a[2] + rng.uniform(-30, 30)];
    paintTube(grid, hu, a, b, 5 * scale, 2.5 * scale, 35, (idx) => liver[idx] !== 0);
  }

  const noduleList = placeNodules(grid, hu, lungs, nodules, rng, nNodules, scale);

  // Noise, then quantise to int16 like a scanner.
  const out = new Int16Array(n);
  for (let t = 0; t < n; t++) {
    const v = Math.round(hu[t] + noise * rng.normal());
    out[t] = v < -1024 ? -1024 : v > 3071 ? 3071 : v;
  }

  const meta = (what: string): Volume['meta'] => ({ source: `phantom:seed=${seed}:${what}`, datatype: what === 'ct' ? 'int16' : 'uint8', modality: 'CT', warnings: [] });
  const grid3 = (): { dims: Vec3; spacing: Vec3; affine: Mat4 } => ({ dims: [...dims] as Vec3, spacing: [...spacing] as Vec3, affine: new Float64Array(affine) });
  return {
    ct: { data: out, ...grid3(), meta: meta('ct') },
    truth: {
      lungs: {
        data: lungs,
        ...grid3(),
        meta: meta('lungs'),
        labels: LUNG_LABEL_TABLE.map((x) => ({ ...x })),
      },
      liver: { data: liver, ...grid3(), meta: meta('liver'), labels: [{ value: 1, name: 'liver', color: [221, 130, 101] }] },
      nodules: {
        data: nodules,
        ...grid3(),
        meta: meta('nodules'),
        labels: [
          { value: NODULE_LABELS.benign, name: 'benign nodule', color: [241, 214, 145] },
          { value: NODULE_LABELS.malignant, name: 'malignant nodule', color: [230, 60, 60] },
        ],
      },
    },
    nodules: noduleList,
    seed,
  };
}

interface Grid {
  dims: Vec3;
  spacing: Vec3;
  x0: number;
  y0: number;
  z0: number;
}

function toVoxel(g: Grid, p: Vec3): Vec3 {
  return [(g.x0 - p[0]) / g.spacing[0], (g.y0 - p[1]) / g.spacing[1], (p[2] - g.z0) / g.spacing[2]];
}

function growVessels(g: Grid, hu: Float32Array, lungs: Uint8Array, label: number, rng: SeededRandom, from: Vec3, dir: Vec3, radius: number, depth: number, maxDepth: number): void {
  if (depth > maxDepth || radius < 0.6) return;
  const len = rng.uniform(22, 40) * (1 - depth * 0.08);
  const nrm = Math.hypot(dir[0], dir[1], dir[2]) || 1;
  const to: Vec3 = [from[0] + (dir[0] / nrm) * len, from[1] + (dir[1] / nrm) * len, from[2] + (dir[2] / nrm) * len];
  paintTube(g, hu, from, to, radius, radius * 0.8, 40, (idx) => lungs[idx] === label);
  for (let b = 0; b < 2; b++) {
    const nd: Vec3 = [dir[0] / nrm + rng.uniform(-0.8, 0.8), dir[1] / nrm + rng.uniform(-0.8, 0.8), dir[2] / nrm + rng.uniform(-0.9, 0.6)];
    growVessels(g, hu, lungs, label, rng, to, nd, radius * 0.72, depth + 1, maxDepth);
  }
}

/**
 * Paint a tube from a to b whose radius tapers from ra to rb (mm), only where `ok(idx)`.
 * Edges are coverage-weighted (partial volume) unless `hard`.
 */
function paintTube(g: Grid, hu: Float32Array, a: Vec3, b: Vec3, ra: number, rb: number, value: number, ok: (idx: number) => boolean, hard = false): void {
  const [nx, ny] = g.dims;
  const [sx, sy, sz] = g.spacing;
  const rmax = Math.max(ra, rb);
  const va = toVoxel(g, a);
  const vb = toVoxel(g, b);
  const lo = [0, 1, 2].map((d) => Math.max(0, Math.floor(Math.min(va[d], vb[d]) - rmax / g.spacing[d] - 1)));
  const hi = [0, 1, 2].map((d) => Math.min(g.dims[d] - 1, Math.ceil(Math.max(va[d], vb[d]) + rmax / g.spacing[d] + 1)));
  const ab: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2] || 1;
  const vox = Math.min(sx, sy, sz);
  for (let k = lo[2]; k <= hi[2]; k++) {
    const z = g.z0 + k * sz;
    for (let j = lo[1]; j <= hi[1]; j++) {
      const y = g.y0 - j * sy;
      for (let i = lo[0]; i <= hi[0]; i++) {
        const idx = i + nx * (j + ny * k);
        if (!ok(idx)) continue;
        const x = g.x0 - i * sx;
        let t = ((x - a[0]) * ab[0] + (y - a[1]) * ab[1] + (z - a[2]) * ab[2]) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const dx = x - (a[0] + t * ab[0]);
        const dy = y - (a[1] + t * ab[1]);
        const dz = z - (a[2] + t * ab[2]);
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        const r = ra + (rb - ra) * t;
        if (hard) {
          if (d < r) hu[idx] = value;
          continue;
        }
        const cover = Math.min(1, Math.max(0, (r - d) / vox + 0.5));
        if (cover > 0) hu[idx] = hu[idx] + cover * (value - hu[idx]);
      }
    }
  }
}

function placeNodules(g: Grid, hu: Float32Array, lungs: Uint8Array, labels: Uint8Array, rng: SeededRandom, count: number, scale: number): PhantomNodule[] {
  const [nx, ny, nz] = g.dims;
  const [sx, sy, sz] = g.spacing;
  const out: PhantomNodule[] = [];
  const lungAt = (p: Vec3): number => {
    const v = toVoxel(g, p);
    const i = Math.round(v[0]);
    const j = Math.round(v[1]);
    const k = Math.round(v[2]);
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0;
    return lungs[i + nx * (j + ny * k)];
  };
  // Fibonacci directions to test that a nodule sits well inside one lung.
  const dirs: Vec3[] = [];
  const nd = 26;
  for (let t = 0; t < nd; t++) {
    const zc = 1 - (2 * (t + 0.5)) / nd;
    const rr = Math.sqrt(1 - zc * zc);
    const phi = t * Math.PI * (3 - Math.sqrt(5));
    dirs.push([rr * Math.cos(phi), rr * Math.sin(phi), zc]);
  }
  for (let id = 1; id <= count; id++) {
    const malignant = id % 2 === 0;
    const r0 = (malignant ? rng.uniform(7, 11) : rng.uniform(4, 7)) * scale;
    const spikes = malignant
      ? Array.from({ length: rng.int(8, 14) }, () => {
          const d: Vec3 = [rng.normal(), rng.normal(), rng.normal()];
          const m = Math.hypot(d[0], d[1], d[2]) || 1;
          return { d: [d[0] / m, d[1] / m, d[2] / m] as Vec3, len: rng.uniform(0.5, 1.0) * r0 };
        })
      : [];
    const lobes = Array.from({ length: 3 }, () => ({ a: rng.uniform(0, 6.28), b: rng.uniform(0, 6.28), f: rng.int(2, 4) }));
    const reach = r0 * (malignant ? 2.1 : 1.2);
    let center: Vec3 | null = null;
    let side = 0;
    for (let attempt = 0; attempt < 400 && !center; attempt++) {
      const s = rng.int(1, 2);
      const p: Vec3 = [(s === LUNG_LABELS.right ? 1 : -1) * rng.uniform(40, 130) * scale, rng.uniform(-70, 60) * scale, rng.uniform(-20, 120) * scale];
      if (lungAt(p) !== s) continue;
      const margin = reach + 6;
      if (!dirs.every((d) => lungAt([p[0] + d[0] * margin, p[1] + d[1] * margin, p[2] + d[2] * margin]) === s)) continue;
      if (out.some((o) => Math.hypot(o.centerWorld[0] - p[0], o.centerWorld[1] - p[1], o.centerWorld[2] - p[2]) < reach + o.diameterMm + 10)) continue;
      center = p;
      side = s;
    }
    if (!center) continue; // grid too small to hold another nodule; the list says how many exist
    const radiusAt = (ux: number, uy: number, uz: number): number => {
      let r = r0;
      const th = Math.acos(Math.max(-1, Math.min(1, uz)));
      const phi = Math.atan2(uy, ux);
      for (const l of lobes) r += 0.08 * r0 * Math.sin(l.f * th + l.a) * Math.cos(l.f * phi + l.b);
      for (const s of spikes) {
        const c = ux * s.d[0] + uy * s.d[1] + uz * s.d[2];
        const w = 0.9; // spike angular half-width (cos)
        if (c > w) r += s.len * Math.pow((c - w) / (1 - w), 3);
      }
      return r;
    };
    const v = toVoxel(g, center);
    let painted = 0;
    const rad = [reach / sx, reach / sy, reach / sz];
    const value = malignant ? NODULE_LABELS.malignant : NODULE_LABELS.benign;
    const huNodule = malignant ? 45 : id % 3 === 0 ? 180 /* calcified */ : 30;
    for (let k = Math.max(0, Math.floor(v[2] - rad[2] - 1)); k <= Math.min(nz - 1, Math.ceil(v[2] + rad[2] + 1)); k++) {
      const z = g.z0 + k * sz;
      for (let j = Math.max(0, Math.floor(v[1] - rad[1] - 1)); j <= Math.min(ny - 1, Math.ceil(v[1] + rad[1] + 1)); j++) {
        const y = g.y0 - j * sy;
        for (let i = Math.max(0, Math.floor(v[0] - rad[0] - 1)); i <= Math.min(nx - 1, Math.ceil(v[0] + rad[0] + 1)); i++) {
          const x = g.x0 - i * sx;
          const dx = x - center[0];
          const dy = y - center[1];
          const dz = z - center[2];
          const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
          const r = d > 1e-6 ? radiusAt(dx / d, dy / d, dz / d) : r0;
          const idx = i + nx * (j + ny * k);
          if (d <= r) {
            hu[idx] = huNodule;
            labels[idx] = value;
            painted++;
          }
        }
      }
    }
    const voxelMm3 = sx * sy * sz;
    out.push({
      id,
      centerWorld: center,
      centerVoxel: v,
      diameterMm: 2 * Math.cbrt((3 * painted * voxelMm3) / (4 * Math.PI)),
      malignant,
      lidcMalignancy: malignant ? (rng.next() < 0.5 ? 4 : 5) : (rng.int(1, 3) as 1 | 2 | 3),
      spiculated: malignant,
      lung: side === LUNG_LABELS.right ? 'right' : 'left',
      voxels: painted,
    });
  }
  return out;
}
