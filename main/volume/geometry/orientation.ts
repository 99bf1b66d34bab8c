import type { Mat4 } from '../Volume';

/**
 * Voxel-axis orientation of an affine, nibabel's `io_orientation` / `aff2axcodes` equivalent.
 * For each voxel axis (i, j, k): the world axis it runs along most closely (0 = x/R, 1 = y/A, 2 = z/S)
 * and whether it runs towards the positive (+1) or negative (-1) end.
 */
export interface AxisOrientation {
  worldAxis: 0 | 1 | 2;
  sign: 1 | -1;
}
export type Orientation = [AxisOrientation, AxisOrientation, AxisOrientation];

const LABELS: ReadonlyArray<[string, string]> = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
];

/** Closest orthogonal matrix to the (column-normalised) 3x3 part: polar decomposition by Newton iteration, as nibabel's SVD step. */
function closestRotation(m: Mat4): number[] {
  const r: number[] = [];
  for (let row = 0; row < 3; row++)
    for (let c = 0; c < 3; c++) {
      const n = Math.hypot(m[c], m[4 + c], m[8 + c]) || 1;
      r.push(m[row * 4 + c] / n);
    }
  return orthogonalize3(r);
}

/** Closest orthogonal 3x3 (row-major) to `a` (the U·Vᵀ of its SVD), by Newton's polar iteration. */
export function orthogonalize3(a: ArrayLike<number>): number[] {
  let r = Array.from(a);
  for (let it = 0; it < 30; it++) {
    const inv = inv3(r);
    if (!inv) break;
    // R <- (R + R^-T) / 2
    const next = r.map((v, idx) => {
      const row = Math.floor(idx / 3);
      const col = idx % 3;
      return 0.5 * (v + inv[col * 3 + row]);
    });
    let d = 0;
    for (let i = 0; i < 9; i++) d = Math.max(d, Math.abs(next[i] - r[i]));
    r = next;
    if (d < 1e-12) break;
  }
  return r;
}

function inv3(a: number[]): number[] | null {
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8] = a;
  const c0 = a4 * a8 - a5 * a7;
  const c1 = a5 * a6 - a3 * a8;
  const c2 = a3 * a7 - a4 * a6;
  const det = a0 * c0 + a1 * c1 + a2 * c2;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  const id = 1 / det;
  return [
    c0 * id,
    (a2 * a7 - a1 * a8) * id,
    (a1 * a5 - a2 * a4) * id,
    c1 * id,
    (a0 * a8 - a2 * a6) * id,
    (a2 * a3 - a0 * a5) * id,
    c2 * id,
    (a1 * a6 - a0 * a7) * id,
    (a0 * a4 - a1 * a3) * id,
  ];
}

/** nibabel `io_orientation`: each voxel axis in order claims the world axis it is most aligned with. */
export function orientationFromAffine(affine: Mat4): Orientation {
  const r = closestRotation(affine);
  const out: AxisOrientation[] = [];
  const used = [false, false, false];
  for (let c = 0; c < 3; c++) {
    let best = -1;
    let bestAbs = -1;
    for (let row = 0; row < 3; row++) {
      if (used[row]) continue;
      const v = Math.abs(r[row * 3 + c]);
      if (v > bestAbs) {
        bestAbs = v;
        best = row;
      }
    }
    used[best] = true;
    out.push({ worldAxis: best as 0 | 1 | 2, sign: r[best * 3 + c] < 0 ? -1 : 1 });
  }
  return out as Orientation;
}

/** Axis codes like nibabel's `aff2axcodes`, e.g. 'RAS', 'LPS', 'LAS'. */
export function axisCodes(affine: Mat4): string {
  return orientationFromAffine(affine)
    .map((o) => LABELS[o.worldAxis][o.sign > 0 ? 1 : 0])
    .join('');
}

/** Parse axis codes ('RAS', 'LPI', ...) into an Orientation; throws on invalid codes. */
export function orientationFromCodes(codes: string): Orientation {
  const up = codes.toUpperCase();
  if (up.length !== 3) throw new Error(`orientation codes must have 3 letters, got '${codes}'`);
  const out: AxisOrientation[] = [];
  const seen = new Set<number>();
  for (const ch of up) {
    const axis = LABELS.findIndex((pair) => pair.includes(ch));
    if (axis < 0 || seen.has(axis)) throw new Error(`invalid orientation codes '${codes}'`);
    seen.add(axis);
    out.push({ worldAxis: axis as 0 | 1 | 2, sign: LABELS[axis][1] === ch ? 1 : -1 });
  }
  return out as Orientation;
}
