import type { Vec3 } from '../../volume/Volume';

/**
 * Binary erosion / dilation with an ellipsoidal structuring element given in millimetres, so
 * that anisotropic voxels (0.8 x 0.8 x 2.5 mm) get a physically round element.
 * Implemented as a sparse offset list over the element; cost ~ voxels x element size, fine for
 * the small radii (1-5 mm) these pipelines use.
 */
function ballOffsets(spacing: Vec3, radiusMm: number): { di: number; dj: number; dk: number }[] {
  const r = [0, 1, 2].map((a) => Math.floor(radiusMm / spacing[a] + 1e-9));
  const out: { di: number; dj: number; dk: number }[] = [];
  for (let dk = -r[2]; dk <= r[2]; dk++)
    for (let dj = -r[1]; dj <= r[1]; dj++)
      for (let di = -r[0]; di <= r[0]; di++) {
        const d = Math.hypot(di * spacing[0], dj * spacing[1], dk * spacing[2]);
        if (d <= radiusMm + 1e-9) out.push({ di, dj, dk });
      }
  return out;
}

function apply(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number, erode: boolean): Uint8Array {
  const [nx, ny, nz] = dims;
  const offs = ballOffsets(spacing, radiusMm);
  const out = new Uint8Array(mask.length);
  if (!erode) {
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          const p = i + nx * (j + ny * k);
          if (!mask[p]) continue;
          for (const o of offs) {
            const a = i + o.di;
            const b = j + o.dj;
            const c = k + o.dk;
            if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
            out[a + nx * (b + ny * c)] = 1;
          }
        }
    return out;
  }
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const p = i + nx * (j + ny * k);
        if (!mask[p]) continue;
        let keep = 1;
        for (const o of offs) {
          const a = i + o.di;
          const b = j + o.dj;
          const c = k + o.dk;
          // Outside the grid counts as foreground, so masks touching the edge do not shrink there.
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
          if (!mask[a + nx * (b + ny * c)]) {
            keep = 0;
            break;
          }
        }
        out[p] = keep;
      }
  return out;
}

export function erodeMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return apply(mask, dims, spacing, radiusMm, true);
}

export function dilateMm(mask: Uint8Array, dims: Vec3, spacing: Vec3, radiusMm: number): Uint8Array {
  return apply(mask, dims, spacing, radiusMm, false);
}
