import * as tf from '@tensorflow/tfjs-core';
import type { LabelMap, Mat4, Vec3, Volume } from '../../volume/Volume';
import { applyAffine, invert } from '../../volume/geometry/affine';
import { resampleToGrid } from '../../volume/geometry/resample';
import { withGrad } from '../../engine/nn/autograd/Var';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { connectedComponents } from '../../../common/mask/connectedComponents';
import { coldStartLungMask } from '../lung/coldStartLungMask';
import { loadTaskModel, type TaskModel, type TaskPreprocessing } from '../engine/taskModel';
import { med3dPreprocess } from '../../volume/preprocess/med3dPreprocess';
import { NODULE_LABELS } from '../phantom/ctPhantom';
import type { PrepareTaskOptions, PreparedTask, TaskResult } from '../taskRegistry';

/**
 * Nodule malignancy (Med3D paper): a fixed-size patch around the nodule → encoder + global
 * average pooling + FC → P(malignant) (LIDC ratings 1-3 benign, 4-5 malignant). The patch is
 * resampled to isotropic voxels on a grid centred on the point (axes aligned with the scan's),
 * so the network always sees the same physical field of view.
 */
export interface NodulePatchOptions {
  /** Patch size in voxels (each a multiple of 8). Default [32, 32, 32]. */
  size?: Vec3;
  /** Isotropic voxel size of the patch, mm. Default 1.25 (a 40 mm field of view). */
  spacingMm?: number;
  /** Value outside the scan (default -1000: air in HU). */
  fill?: number;
}

export interface NodulePoint {
  /** 'world' = RAS+ mm; 'voxel' = (i, j, k) of the scan. */
  frame: 'world' | 'voxel';
  coords: Vec3;
}

/** HU window of the classifier input, then scaled to roughly unit range. */
const PATCH_WINDOW: [number, number] = [-1000, 400];

function toWorld(ct: Volume, p: NodulePoint): Vec3 {
  return p.frame === 'world' ? p.coords : applyAffine(ct.affine, p.coords);
}

/** The patch (HU, float32) around a point; outside the scan is air (-1000). */
export function extractNodulePatch(ct: Volume, point: NodulePoint, opts: NodulePatchOptions = {}): Volume {
  const size = opts.size ?? [32, 32, 32];
  const sp = opts.spacingMm ?? 1.25;
  const c = toWorld(ct, point);
  // Patch axes: the scan's axis directions, unit length × sp.
  const a = ct.affine;
  const affine: Mat4 = new Float64Array(16);
  for (let col = 0; col < 3; col++) {
    const n = Math.hypot(a[col], a[4 + col], a[8 + col]) || 1;
    for (let r = 0; r < 3; r++) affine[r * 4 + col] = (a[r * 4 + col] / n) * sp;
  }
  for (let r = 0; r < 3; r++) affine[r * 4 + 3] = c[r] - (affine[r * 4] * (size[0] - 1) + affine[r * 4 + 1] * (size[1] - 1) + affine[r * 4 + 2] * (size[2] - 1)) / 2;
  affine[15] = 1;
  const src: Volume = ct.data instanceof Float32Array ? ct : { ...ct, data: Float32Array.from(ct.data) };
  return resampleToGrid(src, { dims: size, affine }, { interpolation: 'linear', fill: opts.fill ?? -1000 });
}

/** The whole scan normalised as a recipe-trained model expects (stats of the full volume, so a patch never depends on its neighbours). */
function normaliseScan(vol: Volume, p: TaskPreprocessing): Volume {
  return med3dPreprocess(vol, { huWindow: p.huWindow, clip: p.clip }).input;
}

function minOf(d: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < d.length; i++) if (d[i] < m) m = d[i];
  return m;
}

/**
 * Inputs of a model trained by the nodule recipe (`med3d train --task nodule`, fine-tuning from
 * nodule marks): the scan normalised once, then an isotropic patch of `size` + 2·margin voxels at
 * `p.patchSpacingMm` (default 1 mm) around each voxel centre (continuous i, j, k).
 */
export function scanNoduleInputs(ct: Volume, centres: readonly Vec3[], p: TaskPreprocessing, size: Vec3, margin = 0): Float32Array[] {
  const norm = normaliseScan(ct, p);
  const big: Vec3 = [size[0] + 2 * margin, size[1] + 2 * margin, size[2] + 2 * margin];
  const fill = minOf(norm.data);
  return centres.map((c) => extractNodulePatch(norm, { frame: 'world', coords: applyAffine(norm.affine, c) }, { size: big, spacingMm: p.patchSpacingMm ?? 1, fill }).data as Float32Array);
}

/** Inputs of a model without stored patch preprocessing (imported weights): HU window to [-1, 1]. */
function patchToInput(patch: Volume): Float32Array {
  const [lo, hi] = PATCH_WINDOW;
  const out = new Float32Array(patch.data.length);
  for (let q = 0; q < out.length; q++) {
    const v = Math.min(hi, Math.max(lo, patch.data[q]));
    out[q] = ((v - lo) / (hi - lo)) * 2 - 1;
  }
  return out;
}

/** P(malignant) for a batch of patches (same size). */
export function malignancyProbabilities(model: Med3dModel, inputs: Float32Array[], size: Vec3): number[] {
  if (model.spec.head.kind !== 'classifier') throw new Error(`nodule model must have a classifier head, this one has '${model.spec.head.kind}'`);
  const out: number[] = [];
  for (const x of inputs) {
    const p = tf.tidy(() =>
      withGrad(false, () => {
        const t = tf.tensor5d(x, [1, size[2], size[1], size[0], 1]);
        const r = model.forward(t, { training: false });
        if (!r.logits) throw new Error('nodule model has no head');
        return tf.softmax(r.logits.value);
      }),
    );
    const d = p.dataSync();
    p.dispose();
    out.push(d.length > 1 ? d[1] : d[0]);
  }
  return out;
}

export interface NoduleClassification {
  probability: number;
  malignant: boolean;
  centerWorld: Vec3;
  centerVoxel: Vec3;
  patch: Volume;
}

/**
 * What `m` is fed for nodules at voxel centres of `ct`, as "Classify nodule" feeds it: a model
 * trained by the nodule recipe carries its patch (preprocessing.window) and normalisation; other
 * models (imported weights) get the HU-window patch of `size` (default 32³).
 */
export function modelNoduleInputs(m: Pick<TaskModel, 'preprocessing'>, ct: Volume, centres: readonly Vec3[], size: Vec3 = m.preprocessing.window ?? [32, 32, 32]): Float32Array[] {
  if (m.preprocessing.window) return scanNoduleInputs(ct, centres, m.preprocessing, size);
  return centres.map((c) => patchToInput(extractNodulePatch(ct, { frame: 'voxel', coords: c }, { size })));
}

/**
 * P(malignant) of the nodule at `point`. A model trained by the nodule recipe carries its patch
 * (preprocessing.window) and sees exactly its training inputs; other models get the HU-window patch.
 */
export function classifyNodule(m: TaskModel, ct: Volume, point: NodulePoint, opts: NodulePatchOptions = {}): NoduleClassification {
  const trained = m.preprocessing.window;
  const size = opts.size ?? trained ?? [32, 32, 32];
  const centerWorld = toWorld(ct, point);
  const centerVoxel = applyAffine(invert(ct.affine), centerWorld);
  const patch = extractNodulePatch(ct, point, { ...opts, size, ...(trained ? { spacingMm: m.preprocessing.patchSpacingMm ?? 1 } : {}) });
  const [probability] = malignancyProbabilities(m.model, modelNoduleInputs(m, ct, [centerVoxel], size), size);
  return { probability, malignant: probability >= 0.5, centerWorld, centerVoxel, patch };
}

export interface NoduleCandidate {
  centerVoxel: Vec3;
  diameterMm: number;
  voxels: number;
}

/**
 * Classical nodule candidates inside the lungs (for batch runs without clicks): soft-tissue
 * blobs (HU > -400) within the hole-filled lung mask, 3-30 mm equivalent diameter, compact
 * (filling >= 25% of their bounding box, aspect <= 3), which rejects most vessel segments.
 */
export function detectNoduleCandidates(ct: Volume, lungMask: Uint8Array, opts: { minMm?: number; maxMm?: number } = {}): NoduleCandidate[] {
  const n = ct.data.length;
  const dense = new Uint8Array(n);
  for (let p = 0; p < n; p++) dense[p] = lungMask[p] && ct.data[p] > -400 ? 1 : 0;
  const cc = connectedComponents(dense, ct.dims);
  const [nx, ny] = ct.dims;
  const vox = ct.spacing[0] * ct.spacing[1] * ct.spacing[2];
  const lo = Array.from({ length: cc.count + 1 }, () => [Infinity, Infinity, Infinity]);
  const hi = Array.from({ length: cc.count + 1 }, () => [-1, -1, -1]);
  const sum = Array.from({ length: cc.count + 1 }, () => [0, 0, 0]);
  for (let p = 0; p < n; p++) {
    const l = cc.labels[p];
    if (!l) continue;
    const i = p % nx;
    const j = ((p - i) / nx) % ny;
    const k = (p - i - j * nx) / (nx * ny);
    const v = [i, j, k];
    for (let a = 0; a < 3; a++) {
      lo[l][a] = Math.min(lo[l][a], v[a]);
      hi[l][a] = Math.max(hi[l][a], v[a]);
      sum[l][a] += v[a];
    }
  }
  const out: NoduleCandidate[] = [];
  for (let l = 1; l <= cc.count; l++) {
    const size = cc.sizes[l];
    const d = 2 * Math.cbrt((3 * size * vox) / (4 * Math.PI));
    if (d < (opts.minMm ?? 3) || d > (opts.maxMm ?? 30)) continue;
    const ext = [0, 1, 2].map((a) => (hi[l][a] - lo[l][a] + 1) * ct.spacing[a]);
    const boxVox = [0, 1, 2].reduce((s, a) => s * (hi[l][a] - lo[l][a] + 1), 1);
    if (size / boxVox < 0.25 || Math.max(...ext) / Math.max(1e-6, Math.min(...ext)) > 3) continue;
    out.push({ centerVoxel: [sum[l][0] / size, sum[l][1] / size, sum[l][2] / size], diameterMm: d, voxels: size });
  }
  return out.sort((a, b) => b.diameterMm - a.diameterMm);
}

/** Batch / predict: candidates in the cold-start lungs, each classified; mask 1 benign, 2 malignant. */
export function runNoduleTask(m: TaskModel, ct: Volume): TaskResult {
  const lungs = coldStartLungMask(ct);
  const cands = detectNoduleCandidates(ct, lungs.mask.data as Uint8Array);
  const dense = new Uint8Array(ct.data.length);
  for (let p = 0; p < dense.length; p++) dense[p] = lungs.mask.data[p] && ct.data[p] > -400 ? 1 : 0;
  const cc = connectedComponents(dense, ct.dims);
  const mask = new Uint8Array(ct.data.length);
  const findings: NonNullable<TaskResult['findings']> = [];
  const [nx, ny] = ct.dims;
  const valueOf = new Map<number, number>(); // component → mask value, painted in one pass below
  for (const c of cands) {
    const r = classifyNodule(m, ct, { frame: 'voxel', coords: c.centerVoxel });
    const ci = c.centerVoxel.map(Math.round);
    const label = cc.labels[ci[0] + nx * (ci[1] + ny * ci[2])];
    if (label) valueOf.set(label, r.malignant ? NODULE_LABELS.malignant : NODULE_LABELS.benign);
    findings.push({ centerVoxel: c.centerVoxel.map((x) => +x.toFixed(2)), centerWorld: r.centerWorld.map((x) => +x.toFixed(2)), diameterMm: +c.diameterMm.toFixed(1), probabilityMalignant: +r.probability.toFixed(4), malignant: r.malignant });
  }
  if (valueOf.size) for (let p = 0; p < mask.length; p++) if (cc.labels[p]) mask[p] = valueOf.get(cc.labels[p]) ?? 0;
  const out: LabelMap = {
    data: mask,
    dims: [...ct.dims] as Vec3,
    spacing: [...ct.spacing] as Vec3,
    affine: new Float64Array(ct.affine),
    meta: { source: ct.meta.source, datatype: 'uint8', modality: 'SEG', warnings: [] },
    labels: [
      { value: NODULE_LABELS.benign, name: 'benign nodule', color: [241, 214, 145] },
      { value: NODULE_LABELS.malignant, name: 'malignant nodule', color: [230, 60, 60] },
    ],
  };
  return { mask: out, notes: [`${cands.length} nodule candidate(s) in ${lungs.volumesMl.total.toFixed(0)} mL of lung`], findings };
}

export async function prepare(opts: PrepareTaskOptions): Promise<PreparedTask> {
  const m = await loadTaskModel(opts.model!, { workspace: opts.workspace });
  if (m.spec.head.kind !== 'classifier') throw new Error(`model ${m.source} has a '${m.spec.head.kind}' head: the nodule task needs a classifier (encoder + GAP + FC)`);
  return { task: 'nodule', method: `nodule malignancy ${m.versionId ?? m.source}`, run: async (ct) => runNoduleTask(m, ct) };
}
