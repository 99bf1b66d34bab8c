import type { LabelMap, Vec3, Volume } from '../../volume/Volume';
import { connectedComponents } from '../../../common/mask/connectedComponents';
import { voxelAxisAlong, worldCoord } from '../mask/gridAxes';
import { voxelVolumeMl } from '../mask/maskMetrics';
import { dilateMm, erodeMm } from '../mask/morphology';
import { borderConnected2d, fillHoles2d, sliceGeometry } from '../mask/sliceOps';
import { LUNG_LABELS, LUNG_LABEL_TABLE } from './lungLabels';

/**
 * Classical lung mask for a CT scan with no model at all (the "cold start" the user corrects and
 * the first fine-tuned model learns from). Steps, each a pure function of the HU volume:
 *   1. air-like voxels (HU < thresholdHu);
 *   2. remove the air outside the body: per axial slice, air 4-connected to the image border;
 *   3. remove trachea and main bronchi: seed in the most superior slices (a small, round, dark
 *      air region near the body's midline), 3D region growing at a stricter HU with explosion
 *      control (lower the threshold while the airway grows beyond maxAirwayMl);
 *   4. 3D components; drop small ones and gas pockets (bowel / stomach gas is mostly below
 *      -950 HU: 45-75% of voxels in the shared test scans, while normal lungs have < 10%; only
 *      very severe emphysema, LAA-950 > 40%, would be dropped: raise gasFraction there); keep the two largest;
 *   5. one component spanning both sides (lungs touching at the anterior junction): split by
 *      erosion until it falls apart, then grow the two parts back inside it; fall back to the
 *      sagittal midline;
 *   6. label by side (RAS+: larger world x = patient's right) and fill holes per axial slice
 *      (vessels, nodules, intrapulmonary airways belong to the lung).
 * Works on any storage orientation: "axial" and "superior" come from the affine.
 */
export interface ColdStartLungOptions {
  /** Air-like threshold, HU. Default -400. */
  thresholdHu?: number;
  /** Starting threshold for airway growing, HU. Default -950. */
  airwayHu?: number;
  /** Airway volume above which growing is considered to have leaked into the lungs, mL. Default 250. */
  maxAirwayMl?: number;
  /**
   * Largest enclosed region filled per axial slice, mm² (vessels, nodules up to 3 cm); larger
   * islands such as the diaphragm dome stay outside. Default 1000.
   */
  maxHoleMm2?: number;
  /** Components smaller than this are not lungs, mL. Default 15. */
  minLungMl?: number;
  /** Components with more than this fraction of voxels below -950 HU are gas (bowel, stomach), not lung. Default 0.4. */
  gasFraction?: number;
}

export interface ColdStartLungResult {
  /** 1 = right lung, 2 = left lung, on the input grid. */
  mask: LabelMap;
  volumesMl: { right: number; left: number; total: number };
  /** What the method decided (airway found or not, split method, dropped components). */
  notes: string[];
}

/** The default air-like threshold (thresholdHu), HU. */
export const COLD_START_THRESHOLD_HU = -400;

export function coldStartLungMask(ct: Volume, opts: ColdStartLungOptions = {}): ColdStartLungResult {
  const thr = opts.thresholdHu ?? COLD_START_THRESHOLD_HU;
  const minLungMl = opts.minLungMl ?? 15;
  const gasFraction = opts.gasFraction ?? 0.4;
  const { dims, spacing, affine } = ct;
  const hu = ct.data;
  const n = hu.length;
  const ml = voxelVolumeMl(spacing);
  const notes: string[] = [];
  const { axis: sAxis, sign: supSign } = voxelAxisAlong(affine, 2);

  // 1-2. Air inside the body.
  const air = new Uint8Array(n);
  for (let p = 0; p < n; p++) air[p] = hu[p] < thr ? 1 : 0;
  const outside = borderConnected2d(air, dims, sAxis);
  const cand = new Uint8Array(n);
  for (let p = 0; p < n; p++) cand[p] = air[p] && !outside[p] ? 1 : 0;
  const body = new Uint8Array(n);
  for (let p = 0; p < n; p++) body[p] = outside[p] ? 0 : 1;
  const midX = meanWorldX(body, dims, affine);

  // 3. Airways.
  const airway = findAirway(ct, cand, sAxis, supSign, midX, opts, notes);
  if (airway) {
    for (let p = 0; p < n; p++) if (airway[p]) cand[p] = 0;
    // Peel one voxel around the removed airway so the lungs do not stay joined through its wall.
    const rim = dilateMm(airway, dims, spacing, Math.min(spacing[0], spacing[1], spacing[2]) * 1.01);
    for (let p = 0; p < n; p++) if (rim[p]) cand[p] = 0;
  }

  // 4. Lung candidates.
  const cc = connectedComponents(cand, dims);
  const veryLow = new Float64Array(cc.count + 1);
  for (let p = 0; p < n; p++) if (cc.labels[p] && hu[p] < -950) veryLow[cc.labels[p]]++;
  const kept: number[] = [];
  let droppedGas = 0;
  for (let l = 1; l <= cc.count; l++) {
    const vol = cc.sizes[l] * ml;
    if (vol < minLungMl) continue;
    if (veryLow[l] / cc.sizes[l] > gasFraction) {
      droppedGas++;
      continue;
    }
    kept.push(l);
  }
  if (droppedGas) notes.push(`${droppedGas} gas component(s) dropped (> ${Math.round(gasFraction * 100)}% of voxels below -950 HU)`);
  kept.sort((a, b) => cc.sizes[b] - cc.sizes[a]);
  const labels = new Uint8Array(n);
  if (kept.length === 0) {
    notes.push('no lung-like air region found');
    return finish(ct, labels, sAxis, ml, opts, notes);
  }

  const first = kept[0];
  const second = kept.length > 1 && cc.sizes[kept[1]] >= 0.1 * cc.sizes[first] ? kept[1] : 0;
  if (second) {
    const xa = componentMeanX(cc.labels, first, dims, affine);
    const xb = componentMeanX(cc.labels, second, dims, affine);
    const [right, left] = xa >= xb ? [first, second] : [second, first];
    for (let p = 0; p < n; p++) {
      if (cc.labels[p] === right) labels[p] = LUNG_LABELS.right;
      else if (cc.labels[p] === left) labels[p] = LUNG_LABELS.left;
    }
    notes.push('two separate lungs');
  } else {
    const comp = new Uint8Array(n);
    for (let p = 0; p < n; p++) comp[p] = cc.labels[p] === first ? 1 : 0;
    const sideFraction = fractionRightOf(comp, dims, affine, midX);
    if (sideFraction > 0.15 && sideFraction < 0.85) {
      splitJoinedLungs(comp, ct, midX, labels, notes);
    } else {
      const side = sideFraction >= 0.5 ? LUNG_LABELS.right : LUNG_LABELS.left;
      for (let p = 0; p < n; p++) if (comp[p]) labels[p] = side;
      notes.push(`one lung only (${side === LUNG_LABELS.right ? 'right' : 'left'})`);
    }
  }
  return finish(ct, labels, sAxis, ml, opts, notes);
}

function finish(ct: Volume, labels: Uint8Array, sAxis: 0 | 1 | 2, ml: number, opts: ColdStartLungOptions, notes: string[]): ColdStartLungResult {
  const n = labels.length;
  const inPlane = [0, 1, 2].filter((a) => a !== sAxis);
  const maxHolePx = Math.floor((opts.maxHoleMm2 ?? 1000) / (ct.spacing[inPlane[0]] * ct.spacing[inPlane[1]]));
  // 6. Hole filling per lung, per axial slice.
  const out = new Uint8Array(n);
  for (const value of [LUNG_LABELS.right, LUNG_LABELS.left]) {
    const m = new Uint8Array(n);
    let any = false;
    for (let p = 0; p < n; p++) if (labels[p] === value) (m[p] = 1), (any = true);
    if (!any) continue;
    const filled = fillHoles2d(m, ct.dims, sAxis, maxHolePx);
    for (let p = 0; p < n; p++) if (filled[p] && !out[p]) out[p] = value;
  }
  let r = 0;
  let l = 0;
  for (let p = 0; p < n; p++) {
    if (out[p] === LUNG_LABELS.right) r++;
    else if (out[p] === LUNG_LABELS.left) l++;
  }
  return {
    mask: {
      data: out,
      dims: [...ct.dims] as Vec3,
      spacing: [...ct.spacing] as Vec3,
      affine: new Float64Array(ct.affine),
      meta: { source: ct.meta.source, datatype: 'uint8', modality: 'SEG', warnings: [] },
      labels: LUNG_LABEL_TABLE.map((x) => ({ ...x })),
    },
    volumesMl: { right: r * ml, left: l * ml, total: (r + l) * ml },
    notes,
  };
}

function voxelOf(p: number, dims: Vec3): Vec3 {
  const i = p % dims[0];
  const j = ((p - i) / dims[0]) % dims[1];
  const k = (p - i - j * dims[0]) / (dims[0] * dims[1]);
  return [i, j, k];
}

function meanWorldX(mask: Uint8Array, dims: Vec3, affine: Float64Array): number {
  // World x is affine in (i, j, k): the mean of x is x at the mean voxel.
  let si = 0;
  let sj = 0;
  let sk = 0;
  let c = 0;
  const [nx, ny] = dims;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const i = p % nx;
    const j = ((p - i) / nx) % ny;
    const k = (p - i - j * nx) / (nx * ny);
    si += i;
    sj += j;
    sk += k;
    c++;
  }
  if (!c) return worldCoord(affine, 0, [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2]);
  return worldCoord(affine, 0, [si / c, sj / c, sk / c]);
}

function componentMeanX(labels: Int32Array, l: number, dims: Vec3, affine: Float64Array): number {
  const m = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) m[p] = labels[p] === l ? 1 : 0;
  return meanWorldX(m, dims, affine);
}

function fractionRightOf(mask: Uint8Array, dims: Vec3, affine: Float64Array, midX: number): number {
  let right = 0;
  let all = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    all++;
    if (worldCoord(affine, 0, voxelOf(p, dims)) > midX) right++;
  }
  return all ? right / all : 0;
}

/** Split one component holding both lungs; writes right/left labels into `labels`. */
function splitJoinedLungs(comp: Uint8Array, ct: Volume, midX: number, labels: Uint8Array, notes: string[]): void {
  const { dims, spacing, affine } = ct;
  const n = comp.length;
  const total = comp.reduce((s, v) => s + v, 0);
  const step = Math.max(spacing[0], spacing[1]);
  for (let r = 1; r <= 6; r++) {
    const eroded = erodeMm(comp, dims, spacing, r * step);
    const cc = connectedComponents(eroded, dims);
    const order = cc.sizes
      .map((s, l) => [s, l] as const)
      .slice(1)
      .sort((a, b) => b[0] - a[0]);
    if (order.length < 2 || order[1][0] < 0.1 * order[0][0] || order[1][0] < 0.02 * total) continue;
    const [la, lb] = [order[0][1], order[1][1]];
    const xa = componentMeanX(cc.labels, la, dims, affine);
    const xb = componentMeanX(cc.labels, lb, dims, affine);
    const [right, left] = xa >= xb ? [la, lb] : [lb, la];
    // Grow both seeds back through the component, breadth first (geodesic nearest seed).
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let p = 0; p < n; p++) {
      if (cc.labels[p] === right) (labels[p] = LUNG_LABELS.right), (queue[tail++] = p);
      else if (cc.labels[p] === left) (labels[p] = LUNG_LABELS.left), (queue[tail++] = p);
    }
    const [nx, ny, nz] = dims;
    const nxy = nx * ny;
    while (head < tail) {
      const p = queue[head++];
      const v = labels[p];
      const [i, j, k] = voxelOf(p, dims);
      const nb = [i > 0 ? p - 1 : -1, i < nx - 1 ? p + 1 : -1, j > 0 ? p - nx : -1, j < ny - 1 ? p + nx : -1, k > 0 ? p - nxy : -1, k < nz - 1 ? p + nxy : -1];
      for (const q of nb) {
        if (q >= 0 && comp[q] && !labels[q]) {
          labels[q] = v;
          queue[tail++] = q;
        }
      }
    }
    notes.push(`lungs joined; split by ${(r * step).toFixed(1)} mm erosion`);
    return;
  }
  for (let p = 0; p < n; p++) if (comp[p]) labels[p] = worldCoord(affine, 0, voxelOf(p, dims)) > midX ? LUNG_LABELS.right : LUNG_LABELS.left;
  notes.push('lungs joined; split at the body midline');
}

/** Trachea + main bronchi as a mask, or null when no airway seed is found (e.g. abdominal scans). */
function findAirway(ct: Volume, cand: Uint8Array, sAxis: 0 | 1 | 2, supSign: 1 | -1, midX: number, opts: ColdStartLungOptions, notes: string[]): Uint8Array | null {
  const { dims, spacing, affine } = ct;
  const hu = ct.data;
  const g = sliceGeometry(dims, sAxis);
  const inPlane = [0, 1, 2].filter((a) => a !== sAxis);
  const pixelMm2 = spacing[inPlane[0]] * spacing[inPlane[1]];
  const ml = voxelVolumeMl(spacing);
  const searchSlices = Math.max(1, Math.ceil(g.ns * 0.4));
  let seed: number[] | null = null;
  const seen = new Uint8Array(g.nu * g.nv);
  const stack = new Int32Array(g.nu * g.nv);
  for (let t = 0; t < searchSlices && !seed; t++) {
    const s = supSign > 0 ? g.ns - 1 - t : t;
    seen.fill(0);
    let best: { pix: number[]; dist: number } | null = null;
    for (let start = 0; start < g.nu * g.nv; start++) {
      const u0 = start % g.nu;
      const v0 = (start - u0) / g.nu;
      const p0 = g.index(u0, v0, s);
      if (!cand[p0] || seen[start]) continue;
      // 2D component in this slice.
      const pix: number[] = [];
      let top = 0;
      stack[top++] = start;
      seen[start] = 1;
      while (top > 0) {
        const q = stack[--top];
        const u = q % g.nu;
        const v = (q - u) / g.nu;
        pix.push(g.index(u, v, s));
        const nbs = [u > 0 ? q - 1 : -1, u < g.nu - 1 ? q + 1 : -1, v > 0 ? q - g.nu : -1, v < g.nv - 1 ? q + g.nu : -1];
        for (const r of nbs) {
          if (r < 0 || seen[r]) continue;
          const ru = r % g.nu;
          if (!cand[g.index(ru, (r - ru) / g.nu, s)]) continue;
          seen[r] = 1;
          stack[top++] = r;
        }
      }
      const area = pix.length * pixelMm2;
      if (area < 20 || area > 700) continue;
      let meanHu = 0;
      let sx = 0;
      for (const p of pix) {
        meanHu += hu[p];
        sx += worldCoord(affine, 0, voxelOf(p, dims));
      }
      meanHu /= pix.length;
      const dist = Math.abs(sx / pix.length - midX);
      if (meanHu > -900 || dist > 35) continue;
      if (!best || dist < best.dist) best = { pix, dist };
    }
    if (best) seed = best.pix;
  }
  if (!seed) {
    notes.push('no trachea found in the superior slices; airway removal skipped');
    return null;
  }
  const maxMl = opts.maxAirwayMl ?? 250;
  const [nx, ny, nz] = dims;
  const nxy = nx * ny;
  for (let thr = opts.airwayHu ?? -950; thr >= -1010; thr -= 15) {
    const grown = new Uint8Array(hu.length);
    const queue: number[] = [];
    for (const p of seed) if (hu[p] < thr) (grown[p] = 1), queue.push(p);
    let count = queue.length;
    let leaked = false;
    for (let h = 0; h < queue.length && !leaked; h++) {
      const p = queue[h];
      const [i, j, k] = voxelOf(p, dims);
      const nb = [i > 0 ? p - 1 : -1, i < nx - 1 ? p + 1 : -1, j > 0 ? p - nx : -1, j < ny - 1 ? p + nx : -1, k > 0 ? p - nxy : -1, k < nz - 1 ? p + nxy : -1];
      for (const q of nb) {
        if (q < 0 || grown[q] || !cand[q] || hu[q] >= thr) continue;
        grown[q] = 1;
        queue.push(q);
        count++;
      }
      if (count * ml > maxMl) leaked = true;
    }
    if (!leaked) {
      notes.push(`airway removed: ${(count * ml).toFixed(1)} mL grown at HU < ${thr}`);
      return grown;
    }
  }
  notes.push('airway growing leaked into the lungs at every threshold; airway removal skipped');
  return null;
}
