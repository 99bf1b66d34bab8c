import { existsSync } from 'node:fs';
import type { Vec3, Volume } from '../../volume/Volume';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import { buildModel } from '../../engine/models/buildModel';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import { loadWeights } from '../../engine/weights/loadWeights';
import type { JsonValue } from '../../engine/weights/checkpoint';
import { med3dPreprocess } from '../../volume/preprocess/med3dPreprocess';
import { reorientTo } from '../../volume/geometry/reorient';
import { Workspace } from '../../workspace/Workspace';
import type { LabelEntry } from '../../datasets';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * A task's model as the pipelines use it: the network plus how its inputs are prepared
 * (stored in our checkpoints' meta.preprocessing, so a model always sees data as in training).
 */
export interface TaskPreprocessing {
  /** Resample to this voxel size (mm) first (the domain's median spacing). */
  spacing?: Vec3;
  /** HU window before normalisation (liver: [-200, 250]). */
  huWindow?: [number, number];
  /** Percentile clip, default [0.5, 99.5]; null = off. */
  clip?: [number, number] | null;
  /** Resize the whole (resampled) scan to these dims (coarse stages, classifiers). */
  inputDims?: Vec3;
  /** Sliding-window size for large inputs (voxels). */
  window?: Vec3;
  /** Reorient to these axis codes first (e.g. 'RAS'), so cases stored in any orientation look alike to the model. */
  orientation?: string;
  /** Classification patches: isotropic voxel size (mm) of the patch around each point. */
  patchSpacingMm?: number;
}

export interface TaskModel {
  model: Med3dModel;
  spec: ModelSpec;
  /** Checkpoint meta.task, e.g. 'lung-segmentation'. */
  task?: string;
  preprocessing: TaskPreprocessing;
  /** File the weights came from; workspace version id when resolved through one. */
  source: string;
  versionId?: string;
  kind: 'pth' | 'med3d';
  /** Class index → dataset label value and name (meta.labels of models written by `med3d train`). */
  labels?: LabelEntry[];
}

function parseLabels(v: JsonValue | undefined): LabelEntry[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map((e) => (e && typeof e === 'object' && !Array.isArray(e) && typeof e.value === 'number' && typeof e.name === 'string' ? { value: e.value, name: e.name } : null));
  return out.every((e) => e !== null) ? (out as LabelEntry[]) : undefined;
}

function asVec3(v: unknown): Vec3 | undefined {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number') ? (v as Vec3) : undefined;
}

export function parsePreprocessing(p: JsonValue | undefined): TaskPreprocessing {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return {};
  const o = p as Record<string, JsonValue>;
  const hw = o.huWindow;
  const clip = o.clip;
  return {
    spacing: asVec3(o.spacing),
    huWindow: Array.isArray(hw) && hw.length === 2 ? [Number(hw[0]), Number(hw[1])] : undefined,
    clip: clip === null ? null : Array.isArray(clip) && clip.length === 2 ? [Number(clip[0]), Number(clip[1])] : undefined,
    inputDims: asVec3(o.inputDims),
    window: asVec3(o.window),
    orientation: typeof o.orientation === 'string' ? o.orientation : undefined,
    patchSpacingMm: typeof o.patchSpacingMm === 'number' ? o.patchSpacingMm : undefined,
  };
}

export function preprocessingToJson(p: TaskPreprocessing): JsonValue {
  const o: Record<string, JsonValue> = {};
  if (p.spacing) o.spacing = [...p.spacing];
  if (p.huWindow) o.huWindow = [...p.huWindow];
  if (p.clip !== undefined) o.clip = p.clip === null ? null : [...p.clip];
  if (p.inputDims) o.inputDims = [...p.inputDims];
  if (p.window) o.window = [...p.window];
  if (p.orientation) o.orientation = p.orientation;
  if (p.patchSpacingMm !== undefined) o.patchSpacingMm = p.patchSpacingMm;
  return o;
}

/**
 * Resolve `ref` (a file path, or a model version id in `workspace`) and build the network.
 * Errors name the file and what is wrong (W's loader already does for the weights themselves).
 */
export async function loadTaskModel(ref: string, opts: { workspace?: string; defaults?: TaskPreprocessing } = {}): Promise<TaskModel> {
  let file = ref;
  let versionId: string | undefined;
  if (!existsSync(ref)) {
    if (!opts.workspace) throw new Error(`model ${ref}: no such file (give a .pth / checkpoint path, or --workspace to resolve a model version id)`);
    const ws = await Workspace.open(opts.workspace);
    const info = ws.getModel(ref);
    file = info.path;
    versionId = ref;
  }
  const w = await loadWeights(file);
  const model = buildModel(createHeadRegistry(), w.spec);
  // Encoder-only MedicalNet files under a task head load non-strictly; the head stays random
  // and the caller decides whether that is acceptable (training) or not (inference).
  model.loadStateDict(w.stateDict, { strict: w.spec.head.kind !== 'none' });
  const meta = w.checkpoint?.meta;
  return {
    model,
    spec: w.spec,
    task: meta?.task,
    preprocessing: { ...opts.defaults, ...stripUndefined(parsePreprocessing(meta?.preprocessing)) },
    source: file,
    versionId,
    kind: w.kind,
    labels: parseLabels(meta?.labels as JsonValue | undefined),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Apply a model's preprocessing to a scan; returns the model-grid input (Float32, affine kept). */
export function prepareInput(ct: Volume, p: TaskPreprocessing): Volume {
  // Reorientation is a permutation/flip of voxels with the affine updated, so mapToSource still
  // brings predictions back onto the original grid.
  if (p.orientation) ct = reorientTo(ct, p.orientation).volume;
  return med3dPreprocess(ct, { spacing: p.spacing, huWindow: p.huWindow, clip: p.clip, inputDims: p.inputDims }).input;
}
