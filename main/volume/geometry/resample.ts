import type { Mat4, Vec3, Volume, VoxelArray } from '../Volume';
import { invert, multiply, spacingFromAffine } from './affine';
import { deriveMeta, type Grid } from './grid';
import { allocLike } from './voxelArrays';

/**
 * - 'linear': trilinear, for images (output Float32Array unless `keepType`).
 * - 'nearest': nearest voxel, for masks and labels (output keeps the input type).
 * - 'label': label-aware linear vote: each label's trilinear weight is summed over the 8 neighbours
 *   and the heaviest label wins, so masks stay smooth without label mixing (input type kept).
 */
export type Interpolation = 'linear' | 'nearest' | 'label';

export interface ResampleOptions {
  interpolation?: Interpolation;
  /** Value for target voxels that fall outside the source grid (default 0). */
  fill?: number;
  /** For 'linear': round into the input integer type instead of returning Float32Array. */
  keepType?: boolean;
}

/** Index-space coordinates closer than this to an integer are snapped, so identical grids copy voxels exactly. */
const SNAP = 1e-5;
/** Source coordinates this far beyond the edge voxel centre still sample the edge (half a voxel, like ITK). */
const EDGE = 0.5;

/**
 * Resample raw voxels defined on `src` onto `dst` (both index → world affines): the core of
 * resampleToGrid. Pure; the world frame just has to be the same for both grids.
 */
export function resampleData(
  data: VoxelArray,
  src: Grid,
  dst: Grid,
  opts: ResampleOptions = {},
): VoxelArray {
  const mode = opts.interpolation ?? 'linear';
  const fill = opts.fill ?? 0;
  // dst index → src index
  const m = multiply(invert(src.affine), dst.affine);
  const [sx, sy, sz] = src.dims;
  const [dx, dy, dz] = dst.dims;
  const n = dx * dy * dz;
  const out: VoxelArray = mode === 'linear' && !opts.keepType ? new Float32Array(n) : allocLike(data, n);
  const round = mode === 'linear' && opts.keepType && !(data instanceof Float32Array || data instanceof Float64Array);
  const sxy = sx * sy;
  // Scratch space for the label vote.
  const labs = new Float64Array(8);
  const wts = new Float64Array(8);
  let p = 0;
  for (let k = 0; k < dz; k++) {
    for (let j = 0; j < dy; j++) {
      // Start of the row and the per-i step in source index space.
      const bx = m[1] * j + m[2] * k + m[3];
      const by = m[5] * j + m[6] * k + m[7];
      const bz = m[9] * j + m[10] * k + m[11];
      for (let i = 0; i < dx; i++, p++) {
        let x = m[0] * i + bx;
        let y = m[4] * i + by;
        let z = m[8] * i + bz;
        // snap near-integer coordinates (inline: this loop runs once per output voxel)
        const rx = Math.round(x);
        const ry = Math.round(y);
        const rz = Math.round(z);
        if (Math.abs(x - rx) < SNAP) x = rx;
        if (Math.abs(y - ry) < SNAP) y = ry;
        if (Math.abs(z - rz) < SNAP) z = rz;
        if (x < -EDGE || y < -EDGE || z < -EDGE || x > sx - 1 + EDGE || y > sy - 1 + EDGE || z > sz - 1 + EDGE) {
          out[p] = fill;
          continue;
        }
        if (mode === 'nearest') {
          const xi = Math.min(sx - 1, Math.max(0, Math.round(x)));
          const yi = Math.min(sy - 1, Math.max(0, Math.round(y)));
          const zi = Math.min(sz - 1, Math.max(0, Math.round(z)));
          out[p] = data[xi + sx * yi + sxy * zi];
          continue;
        }
        x = Math.min(sx - 1, Math.max(0, x));
        y = Math.min(sy - 1, Math.max(0, y));
        z = Math.min(sz - 1, Math.max(0, z));
        const x0 = Math.floor(x);
        const y0 = Math.floor(y);
        const z0 = Math.floor(z);
        const fx = x - x0;
        const fy = y - y0;
        const fz = z - z0;
        const x1 = fx > 0 ? x0 + 1 : x0;
        const y1 = fy > 0 ? y0 + 1 : y0;
        const z1 = fz > 0 ? z0 + 1 : z0;
        const i000 = x0 + sx * y0 + sxy * z0;
        const dxo = x1 - x0;
        const dyo = (y1 - y0) * sx;
        const dzo = (z1 - z0) * sxy;
        if (mode === 'linear') {
          const c00 = data[i000] * (1 - fx) + data[i000 + dxo] * fx;
          const c10 = data[i000 + dyo] * (1 - fx) + data[i000 + dyo + dxo] * fx;
          const c01 = data[i000 + dzo] * (1 - fx) + data[i000 + dzo + dxo] * fx;
          const c11 = data[i000 + dzo + dyo] * (1 - fx) + data[i000 + dzo + dyo + dxo] * fx;
          const c0 = c00 * (1 - fy) + c10 * fy;
          const c1 = c01 * (1 - fy) + c11 * fy;
          const v = c0 * (1 - fz) + c1 * fz;
          out[p] = round ? Math.round(v) : v;
          continue;
        }
        // label vote; most voxels sit inside one label (or background): no vote needed
        const l0 = data[i000];
        if (
          data[i000 + dxo] === l0 &&
          data[i000 + dyo] === l0 &&
          data[i000 + dyo + dxo] === l0 &&
          data[i000 + dzo] === l0 &&
          data[i000 + dzo + dxo] === l0 &&
          data[i000 + dzo + dyo] === l0 &&
          data[i000 + dzo + dyo + dxo] === l0
        ) {
          out[p] = l0;
          continue;
        }
        let nl = 0;
        for (let c = 0; c < 8; c++) {
          const ox = c & 1 ? dxo : 0;
          const oy = c & 2 ? dyo : 0;
          const oz = c & 4 ? dzo : 0;
          const w = (c & 1 ? fx : 1 - fx) * (c & 2 ? fy : 1 - fy) * (c & 4 ? fz : 1 - fz);
          if (w === 0) continue;
          const l = data[i000 + ox + oy + oz];
          let q = 0;
          while (q < nl && labs[q] !== l) q++;
          if (q === nl) {
            labs[nl] = l;
            wts[nl] = 0;
            nl++;
          }
          wts[q] += w;
        }
        let best = 0;
        for (let q = 1; q < nl; q++) if (wts[q] > wts[best] || (wts[q] === wts[best] && labs[q] < labs[best])) best = q;
        out[p] = labs[best];
      }
    }
  }
  return out;
}

/**
 * Resample a volume onto a target grid (dims + affine in the same RAS+ world). Use it to bring a model
 * output computed on a resampled/cropped grid back onto the source scan voxel for voxel:
 * `resampleToGrid(prediction, gridOf(scan), { interpolation: 'label' })`.
 */
export function resampleToGrid<V extends Volume>(vol: V, target: Grid, opts: ResampleOptions = {}): V {
  const data = resampleData(vol.data, { dims: vol.dims, affine: vol.affine }, target, opts);
  const affine = Float64Array.from(target.affine);
  return {
    ...vol,
    data,
    dims: [target.dims[0], target.dims[1], target.dims[2]] as Vec3,
    affine,
    spacing: spacingFromAffine(affine),
    meta: deriveMeta(vol),
  } as V;
}

/**
 * Grid covering the same field of view with a new voxel size: voxel centres keep the first voxel's corner
 * aligned (like SimpleITK / MONAI Spacing), dims = round(extent / newSpacing).
 */
export function gridWithSpacing(vol: { dims: Vec3; affine: Mat4 }, spacing: Vec3): Grid {
  const old = spacingFromAffine(vol.affine);
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.round((vol.dims[a] * old[a]) / spacing[a]))) as Vec3;
  const affine = Float64Array.from(vol.affine);
  for (let a = 0; a < 3; a++) {
    const scale = spacing[a] / old[a];
    // keep the outer corner of voxel 0 fixed: centre moves by (scale - 1) / 2 old voxels
    const shift = (scale - 1) / 2;
    for (let r = 0; r < 3; r++) {
      affine[r * 4 + 3] += vol.affine[r * 4 + a] * shift;
      affine[r * 4 + a] = vol.affine[r * 4 + a] * scale;
    }
  }
  return { dims, affine };
}

/** Grid of the same field of view with the given dims (resize to a model input), corners aligned. */
export function gridWithDims(vol: { dims: Vec3; affine: Mat4 }, dims: Vec3): Grid {
  const old = spacingFromAffine(vol.affine);
  const spacing = [0, 1, 2].map((a) => (vol.dims[a] * old[a]) / dims[a]) as Vec3;
  const g = gridWithSpacing(vol, spacing);
  return { dims: [dims[0], dims[1], dims[2]], affine: g.affine };
}
