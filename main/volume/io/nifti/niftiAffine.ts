import type { Mat4 } from '../../Volume';
import { fromRows, identity4 } from '../../geometry/affine';

/** The header fields that define NIfTI geometry (already decoded from either NIfTI-1 or NIfTI-2). */
export interface NiftiGeometryFields {
  dims: number[]; // dim[0..7]
  pixdim: number[]; // pixdim[0..7]
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number]; // b, c, d
  qoffset: [number, number, number];
  srow: number[][]; // 3 rows of 4
}

/** nibabel's quaternion threshold for a slightly-too-large (b, c, d). */
const QUAT_THRESHOLD = -3 * 1.1920929e-7;

/** nibabel `Nifti1Header.get_qform`: rotation from (b,c,d), voxel sizes |pixdim[1..3]|, qfac = pixdim[0] (0 → 1). */
export function qformAffine(g: NiftiGeometryFields): Mat4 {
  const [b, c, d] = g.quatern;
  let w2 = 1 - (b * b + c * c + d * d);
  if (w2 < 0) {
    if (w2 < QUAT_THRESHOLD) throw new Error(`invalid qform quaternion (b, c, d) = (${b}, ${c}, ${d})`);
    w2 = 0;
  }
  const a = Math.sqrt(w2);
  // quat2mat (normalised)
  const nq = a * a + b * b + c * c + d * d;
  let r: number[];
  if (nq < 1e-15) r = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  else {
    const s = 2 / nq;
    const X = b * s, Y = c * s, Z = d * s;
    const wX = a * X, wY = a * Y, wZ = a * Z;
    const xX = b * X, xY = b * Y, xZ = b * Z;
    const yY = c * Y, yZ = c * Z, zZ = d * Z;
    r = [1 - (yY + zZ), xY - wZ, xZ + wY, xY + wZ, 1 - (xX + zZ), yZ - wX, xZ - wY, yZ + wX, 1 - (xX + yY)];
  }
  const vox = [1, 2, 3].map((i) => Math.abs(g.pixdim[i] || 0) || 1);
  const qfac = g.pixdim[0] < 0 ? -1 : 1;
  vox[2] *= qfac;
  const m = identity4();
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) m[row * 4 + col] = r[row * 3 + col] * vox[col];
    m[row * 4 + 3] = g.qoffset[row];
  }
  return m;
}

export function sformAffine(g: NiftiGeometryFields): Mat4 {
  return fromRows(g.srow);
}

/** nibabel `get_base_affine`: pixdim diagonal with x flipped, centred on the volume (Analyze convention). */
export function baseAffine(g: NiftiGeometryFields): Mat4 {
  const shape = [1, 2, 3].map((i) => (i <= g.dims[0] ? Math.max(1, g.dims[i]) : 1));
  const zooms = [1, 2, 3].map((i) => (i <= g.dims[0] ? Math.abs(g.pixdim[i] || 0) || 1 : 1));
  const m = identity4();
  const diag = [-zooms[0], zooms[1], zooms[2]];
  for (let a = 0; a < 3; a++) {
    m[a * 5] = diag[a];
    m[a * 4 + 3] = -diag[a] * ((shape[a] - 1) / 2);
  }
  return m;
}

export type AffineSource = 'sform' | 'qform' | 'pixdim';

/** nibabel `img.affine` precedence: sform if sform_code > 0, else qform if qform_code > 0, else the pixdim fall-back. */
export function bestAffine(g: NiftiGeometryFields): { affine: Mat4; source: AffineSource } {
  if (g.sformCode > 0) return { affine: sformAffine(g), source: 'sform' };
  if (g.qformCode > 0) return { affine: qformAffine(g), source: 'qform' };
  return { affine: baseAffine(g), source: 'pixdim' };
}
