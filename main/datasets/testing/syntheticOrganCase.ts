import type { LabelMap, Mat4, Vec3, Volume } from '../../volume/Volume';
import { applyAffine, spacingFromAffine } from '../../volume/geometry/affine';
import type { SeededRandom } from '../../util/seededRandom';
import type { LabelEntry } from '../Dataset';

/**
 * Synthetic organ scans for tests and benchmarks of training and evaluation: a CT-like body with K
 * lobulated ellipsoid organs of distinct mean intensity plus Gaussian noise, defined in world space so the
 * same anatomy lands correctly on any voxel grid (spacing, axis order and flips differ case by case, as in
 * real multi-centre data). Pure: the caller supplies the random generator.
 */

export interface SyntheticOrgan {
  value: number;
  name: string;
  /** Mean intensity (HU-like). */
  intensity: number;
  /** Centre offset from the body centre (world RAS mm) and semi-axes (mm) before per-case jitter. */
  offsetMm: Vec3;
  radiiMm: Vec3;
}

/** Default organ table: two abdominal organs with the dataset's own label values and names. */
export const DEFAULT_ORGANS: readonly SyntheticOrgan[] = [
  { value: 1, name: 'organ', intensity: 90, offsetMm: [-14, 4, 0], radiiMm: [26, 20, 24] },
  { value: 2, name: 'lesion', intensity: 170, offsetMm: [22, -6, 6], radiiMm: [11, 10, 12] },
];

export interface SyntheticGrid {
  dims: Vec3;
  affine: Mat4;
}

/** Axis codes that are valid voxel → world orientations (each world axis once), e.g. 'RAS', 'LPS', 'PLS'. */
const AXES: Record<string, [number, number]> = { R: [0, 1], L: [0, -1], A: [1, 1], P: [1, -1], S: [2, 1], I: [2, -1] };

/**
 * A grid covering `fovMm` (world R, A, S extent) centred on `centreMm`, with voxel axes along `codes`
 * ('RAS' = i towards Right...) and `spacing` along i, j, k.
 */
export function gridFor(codes: string, spacing: Vec3, fovMm: Vec3, centreMm: Vec3 = [0, 0, 0]): SyntheticGrid {
  const affine = new Float64Array(16);
  affine[15] = 1;
  const dims: Vec3 = [1, 1, 1];
  const used = new Set<number>();
  for (let a = 0; a < 3; a++) {
    const ax = AXES[codes[a]];
    if (!ax || used.has(ax[0])) throw new Error(`bad axis codes '${codes}'`);
    used.add(ax[0]);
    dims[a] = Math.max(2, Math.round(fovMm[ax[0]] / spacing[a]));
    affine[ax[0] * 4 + a] = ax[1] * spacing[a];
  }
  // Translation so that the grid's centre voxel position is centreMm.
  const mid = applyAffine(affine, [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2]);
  for (let r = 0; r < 3; r++) affine[r * 4 + 3] = centreMm[r] - mid[r];
  return { dims, affine };
}

/** Per-case anatomy: organ positions, sizes and lobulation drawn once, then rendered on any grid. */
export interface SyntheticAnatomy {
  bodyCentre: Vec3;
  bodyRadii: Vec3;
  organs: Array<SyntheticOrgan & { centre: Vec3; radii: Vec3; lobes: number[] }>;
}

export function drawAnatomy(rng: SeededRandom, organs: readonly SyntheticOrgan[] = DEFAULT_ORGANS): SyntheticAnatomy {
  const bodyCentre: Vec3 = [rng.uniform(-4, 4), rng.uniform(-4, 4), rng.uniform(-4, 4)];
  return {
    bodyCentre,
    bodyRadii: [rng.uniform(52, 58), rng.uniform(44, 50), rng.uniform(70, 80)],
    organs: organs.map((o) => ({
      ...o,
      centre: [0, 1, 2].map((a) => bodyCentre[a] + o.offsetMm[a] + rng.uniform(-5, 5)) as Vec3,
      radii: o.radiiMm.map((r) => r * rng.uniform(0.8, 1.2)) as Vec3,
      // Low-frequency surface bumps (amplitude, phase pairs): organs are not perfect ellipsoids.
      lobes: [rng.uniform(0.05, 0.12), rng.uniform(0, 2 * Math.PI), rng.uniform(0.05, 0.12), rng.uniform(0, 2 * Math.PI)],
    })),
  };
}

/** Label value at a world point (the last organ containing it wins; 0 outside all organs). */
export function labelAt(anat: SyntheticAnatomy, p: Vec3): number {
  let v = 0;
  for (const o of anat.organs) {
    const dx = (p[0] - o.centre[0]) / o.radii[0];
    const dy = (p[1] - o.centre[1]) / o.radii[1];
    const dz = (p[2] - o.centre[2]) / o.radii[2];
    const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
    const theta = Math.atan2(dy, dx);
    const phi = Math.atan2(dz, Math.hypot(dx, dy));
    const bound = 1 + o.lobes[0] * Math.sin(3 * theta + o.lobes[1]) + o.lobes[2] * Math.sin(2 * phi + o.lobes[3]);
    if (r <= bound) v = o.value;
  }
  return v;
}

/** Noise-free intensity at a world point: organ means inside organs, soft tissue in the body, air outside. */
export function intensityAt(anat: SyntheticAnatomy, p: Vec3): number {
  const l = labelAt(anat, p);
  if (l) return anat.organs.find((o) => o.value === l)!.intensity;
  const b = anat.bodyRadii;
  const c = anat.bodyCentre;
  return ((p[0] - c[0]) / b[0]) ** 2 + ((p[1] - c[1]) / b[1]) ** 2 + ((p[2] - c[2]) / b[2]) ** 2 <= 1 ? 30 : -900;
}

/** Label map of an anatomy on a grid (for grids fixed elsewhere, e.g. a DICOM series as loaded). */
export function renderOrganLabels(anat: SyntheticAnatomy, grid: SyntheticGrid, labels: LabelEntry[]): LabelMap {
  const [nx, ny, nz] = grid.dims;
  const lab = new Uint8Array(nx * ny * nz);
  let p = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, p++) lab[p] = labelAt(anat, applyAffine(grid.affine, [i, j, k]));
  const affine = Float64Array.from(grid.affine);
  return { data: lab, dims: [nx, ny, nz], spacing: spacingFromAffine(affine), affine, meta: { warnings: [] }, labels: labels.map((l) => ({ ...l })) };
}

/** Render image (Int16 HU-like, Gaussian noise σ `noise`) and label map of an anatomy on a grid. */
export function renderOrganCase(
  anat: SyntheticAnatomy,
  grid: SyntheticGrid,
  rng: SeededRandom,
  labels: LabelEntry[],
  noise = 18,
): { image: Volume; label: LabelMap } {
  const label = renderOrganLabels(anat, grid, labels);
  const [nx, ny, nz] = grid.dims;
  const img = new Int16Array(nx * ny * nz);
  let p = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, p++) img[p] = Math.round(intensityAt(anat, applyAffine(grid.affine, [i, j, k])) + noise * rng.normal());
  return { image: { data: img, dims: label.dims, spacing: label.spacing, affine: Float64Array.from(grid.affine), meta: { warnings: [], modality: 'CT' } }, label };
}

