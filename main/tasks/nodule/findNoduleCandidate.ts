import type { Vec3, Volume } from '../../volume/Volume';
import { applyAffine } from '../../volume/geometry/affine';

/**
 * The nodule under a click: the user points at (or near) a nodule and gets its centre and
 * radius, so a mark sits on the nodule rather than where the mouse happened to be.
 *
 * Region growing on CT values: the dense voxel (HU above `thresholdHu`) nearest the click is the
 * seed; the 6-connected dense region around it, bounded by `maxRadiusMm`, is the candidate. A
 * solitary nodule ends inside the bound: its centroid is the centre and its equivalent-sphere
 * radius the radius. A nodule touching a vessel or the chest wall grows into it and reaches the
 * bound; then the radius is the median over 26 directions of the distance from the centre to the
 * first non-dense voxel (a vessel or the wall takes only a few directions), and the centre is
 * refined as the centroid of the region within 1.5 radii, a few times.
 */
export interface NoduleCandidateOptions {
  /** Dense-tissue threshold, HU (lung parenchyma ≈ -850, soft tissue ≥ -100). Default -400. */
  thresholdHu?: number;
  /** How far from the click the seed may be, mm. Default 5. */
  searchMm?: number;
  /** Largest radius considered a nodule, mm (LIDC nodules are 3–30 mm across). Default 20. */
  maxRadiusMm?: number;
}

export interface NoduleCandidateAt {
  /** Centre as continuous voxel indices (i, j, k) of the scan. */
  centerVoxel: Vec3;
  /** Centre in world RAS+ mm. */
  centerWorld: Vec3;
  radiusMm: number;
  /** Dense voxels attributed to the nodule. */
  voxels: number;
  /** Their mean value (HU). */
  meanHu: number;
  /** True when the dense region continued beyond the nodule (vessel, chest wall). */
  attached: boolean;
}

const DIRECTIONS: Vec3[] = (() => {
  const out: Vec3[] = [];
  for (let z = -1; z <= 1; z++) for (let y = -1; y <= 1; y++) for (let x = -1; x <= 1; x++) if (x || y || z) out.push([x, y, z]);
  return out.map(([x, y, z]) => {
    const n = Math.hypot(x, y, z);
    return [x / n, y / n, z / n] as Vec3;
  });
})();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Returns null when no dense voxel lies within `searchMm` of the click. */
export function findNoduleCandidate(ct: Volume, clickVoxel: Vec3, opts: NoduleCandidateOptions = {}): NoduleCandidateAt | null {
  const thr = opts.thresholdHu ?? -400;
  const searchMm = opts.searchMm ?? 5;
  const maxR = opts.maxRadiusMm ?? 20;
  const [nx, ny, nz] = ct.dims;
  const [sx, sy, sz] = ct.spacing;
  const data = ct.data;
  const at = (i: number, j: number, k: number): number => data[i + nx * (j + ny * k)];
  const inside = (i: number, j: number, k: number): boolean => i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz;
  const mm2 = (di: number, dj: number, dk: number): number => (di * sx) ** 2 + (dj * sy) ** 2 + (dk * sz) ** 2;

  // Seed: the dense voxel nearest the click.
  let seed: Vec3 | null = null;
  let best = Infinity;
  const reach = [searchMm / sx, searchMm / sy, searchMm / sz].map(Math.ceil);
  const c0 = clickVoxel.map(Math.round) as Vec3;
  for (let k = c0[2] - reach[2]; k <= c0[2] + reach[2]; k++)
    for (let j = c0[1] - reach[1]; j <= c0[1] + reach[1]; j++)
      for (let i = c0[0] - reach[0]; i <= c0[0] + reach[0]; i++) {
        if (!inside(i, j, k) || at(i, j, k) <= thr) continue;
        const d = mm2(i - clickVoxel[0], j - clickVoxel[1], k - clickVoxel[2]);
        if (d <= searchMm * searchMm && d < best) (best = d), (seed = [i, j, k]);
      }
  if (!seed) return null;

  // 6-connected dense region within maxR of the seed.
  const region: number[] = [];
  const seen = new Set<number>();
  const key = (i: number, j: number, k: number): number => i + nx * (j + ny * k);
  const queue: Vec3[] = [seed];
  seen.add(key(...seed));
  let attached = false;
  while (queue.length) {
    const [i, j, k] = queue.pop()!;
    region.push(key(i, j, k));
    for (const [di, dj, dk] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]] as const) {
      const a = i + di;
      const b = j + dj;
      const c = k + dk;
      if (!inside(a, b, c) || seen.has(key(a, b, c)) || at(a, b, c) <= thr) continue;
      seen.add(key(a, b, c));
      if (mm2(a - seed[0], b - seed[1], c - seed[2]) > maxR * maxR) {
        attached = true;
        continue;
      }
      queue.push([a, b, c]);
    }
  }
  const ijk = (p: number): Vec3 => {
    const i = p % nx;
    const j = ((p - i) / nx) % ny;
    return [i, j, (p - i - j * nx) / (nx * ny)];
  };
  const summarise = (voxels: number[]): { center: Vec3; meanHu: number } => {
    const s = [0, 0, 0];
    let hu = 0;
    for (const p of voxels) {
      const v = ijk(p);
      s[0] += v[0];
      s[1] += v[1];
      s[2] += v[2];
      hu += data[p];
    }
    return { center: [s[0] / voxels.length, s[1] / voxels.length, s[2] / voxels.length], meanHu: hu / voxels.length };
  };

  let { center, meanHu } = summarise(region);
  let voxels = region.length;
  let radiusMm = Math.cbrt((3 * voxels * sx * sy * sz) / (4 * Math.PI));
  if (attached) {
    // Radius along rays: distance to the first non-dense voxel, in steps of half the finest spacing.
    const step = Math.min(sx, sy, sz) / 2;
    const rayRadius = (from: Vec3): number =>
      median(
        DIRECTIONS.map((d) => {
          for (let t = step; t <= maxR; t += step) {
            const i = Math.round(from[0] + (d[0] * t) / sx);
            const j = Math.round(from[1] + (d[1] * t) / sy);
            const k = Math.round(from[2] + (d[2] * t) / sz);
            if (!inside(i, j, k) || at(i, j, k) <= thr) return t;
          }
          return maxR;
        }),
      );
    center = seed;
    for (let round = 0; round < 3; round++) {
      radiusMm = rayRadius(center);
      const lim = (1.5 * radiusMm) ** 2;
      const c = center;
      const near = region.filter((p) => {
        const v = ijk(p);
        return mm2(v[0] - c[0], v[1] - c[1], v[2] - c[2]) <= lim;
      });
      if (!near.length) break;
      ({ center, meanHu } = summarise(near));
      voxels = near.length;
    }
    radiusMm = rayRadius(center.map(Math.round) as Vec3);
  }
  return { centerVoxel: center, centerWorld: applyAffine(ct.affine, center), radiusMm, voxels, meanHu, attached };
}
