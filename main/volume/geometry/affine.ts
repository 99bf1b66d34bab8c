import type { Mat4, Vec3 } from '../Volume';

/**
 * 4x4 affine maths on row-major Float64Array matrices (m[r * 4 + c]).
 * Pure functions; every volume affine maps voxel index (i, j, k, 1) to world mm.
 */

export function identity4(): Mat4 {
  const m = new Float64Array(16);
  m[0] = m[5] = m[10] = m[15] = 1;
  return m;
}

/** Build from nested rows ([[a,b,c,d], ...], 3 or 4 rows; a missing 4th row is [0,0,0,1]). */
export function fromRows(rows: ReadonlyArray<ReadonlyArray<number>>): Mat4 {
  const m = identity4();
  for (let r = 0; r < Math.min(rows.length, 4); r++) for (let c = 0; c < 4; c++) m[r * 4 + c] = rows[r][c];
  return m;
}

export function toRows(m: Mat4): number[][] {
  return [0, 1, 2, 3].map((r) => [m[r * 4], m[r * 4 + 1], m[r * 4 + 2], m[r * 4 + 3]]);
}

/** a · b (apply b first, then a). */
export function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[r * 4 + k] * b[k * 4 + c];
      out[r * 4 + c] = s;
    }
  return out;
}

/** Compose transforms applied left to right: compose(A, B, C) = C · B · A. */
export function compose(...ms: Mat4[]): Mat4 {
  let out = identity4();
  for (const m of ms) out = multiply(m, out);
  return out;
}

/** Inverse of a general 4x4 matrix (Gauss–Jordan with partial pivoting); throws when singular. */
export function invert(m: Mat4): Mat4 {
  const a = Float64Array.from(m);
  const inv = identity4();
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[r * 4 + col]) > Math.abs(a[piv * 4 + col])) piv = r;
    const p = a[piv * 4 + col];
    if (!Number.isFinite(p) || Math.abs(p) < 1e-300) throw new Error('affine is singular (zero spacing or collinear axes)');
    if (piv !== col)
      for (let c = 0; c < 4; c++) {
        [a[col * 4 + c], a[piv * 4 + c]] = [a[piv * 4 + c], a[col * 4 + c]];
        [inv[col * 4 + c], inv[piv * 4 + c]] = [inv[piv * 4 + c], inv[col * 4 + c]];
      }
    for (let c = 0; c < 4; c++) {
      a[col * 4 + c] /= p;
      inv[col * 4 + c] /= p;
    }
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = a[r * 4 + col];
      if (f === 0) continue;
      for (let c = 0; c < 4; c++) {
        a[r * 4 + c] -= f * a[col * 4 + c];
        inv[r * 4 + c] -= f * inv[col * 4 + c];
      }
    }
  }
  return inv;
}

/** Apply to a point (x, y, z, 1). */
export function applyAffine(m: Mat4, p: Vec3): Vec3 {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

/** Voxel size along i, j, k: the norms of the first three columns. */
export function spacingFromAffine(m: Mat4): Vec3 {
  const col = (c: number): number => Math.hypot(m[c], m[4 + c], m[8 + c]);
  return [col(0), col(1), col(2)];
}

/** Build an affine from spacing, origin (world of voxel 0,0,0) and a row-major 3x3 direction matrix (unit columns). */
export function affineFromGeometry(spacing: Vec3, origin: Vec3, direction?: ArrayLike<number>): Mat4 {
  const d = direction ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const m = identity4();
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[r * 4 + c] = d[r * 3 + c] * spacing[c];
    m[r * 4 + 3] = origin[r];
  }
  return m;
}

/**
 * Convert an index→LPS affine (DICOM patient frame) to index→RAS (NIfTI/nibabel frame), or back:
 * the two frames differ by a sign flip of x and y, so this is its own inverse.
 */
export function lpsToRas(m: Mat4): Mat4 {
  const out = Float64Array.from(m);
  for (let c = 0; c < 4; c++) {
    out[c] = -out[c];
    out[4 + c] = -out[4 + c];
  }
  return out;
}
export const rasToLps = lpsToRas;

/** Largest absolute element difference (for tolerance checks). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Affine of a sub-grid whose voxel (0,0,0) is voxel `offset` of the parent grid, with optional per-axis step (zoom). */
export function subGridAffine(parent: Mat4, offset: Vec3, step: Vec3 = [1, 1, 1]): Mat4 {
  const t = identity4();
  for (let a = 0; a < 3; a++) {
    t[a * 4 + a] = step[a];
    t[a * 4 + 3] = offset[a];
  }
  return multiply(parent, t);
}
