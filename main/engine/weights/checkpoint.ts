import type { ModelSpec } from '../models/ModelSpec';
import { atomicWriteFile } from '../../util/atomicWrite';
import type { StateDict } from '../nn/StateDict';
import { WeightsError, asWeightsError } from './WeightsError';
import { readWeightsFile } from './readWeightsFile';
import { decodeSafetensors, encodeSafetensors, isSafetensors } from './safetensors';
import { validateModelSpec } from './validateSpec';
import { createHeadShapes } from '../models/heads/headShapes';
import { crc32 } from './zip/crc32';

/**
 * Med3D Workstation's own checkpoint ('.m3d'): weights + optimizer state + metadata in one file,
 * laid out as a safetensors container (see FORMAT.md). Written atomically: a reader sees the old
 * file or the new one, never a torn one.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One point of a training curve. */
export type HistoryEntry = {
  epoch?: number;
  step?: number;
  loss?: number;
  /** e.g. { dice: 0.91, 'dice/1': 0.88, lr: 1e-3 } */
  metrics?: Record<string, number>;
  /** ISO 8601 */
  time?: string;
  [key: string]: JsonValue | undefined;
};

export type CheckpointMeta = {
  /** ISO 8601 creation time. */
  createdAt: string;
  /** e.g. 'lung-segmentation', 'nodule-malignancy', 'liver-coarse'. */
  task?: string;
  /** How inputs must be prepared (spacing, clipping, normalisation, HU window …); free-form JSON. */
  preprocessing?: JsonValue;
  history?: HistoryEntry[];
  /** Id or path of the checkpoint this one was fine-tuned from. */
  parent?: string;
  /** Where the weights came from (e.g. the imported .pth). */
  source?: string;
  [key: string]: JsonValue | HistoryEntry[] | undefined;
};

export interface OptimizerState {
  /** e.g. 'adam', 'sgd'. */
  kind: string;
  step: number;
  /** Per-parameter buffers (e.g. 'layer1.0.conv1.weight.exp_avg'); keys are the optimizer's own. */
  state: StateDict;
  /** Hyper-parameters and learning-rate groups, as JSON. */
  hyper: Record<string, JsonValue>;
}

export interface Med3dCheckpoint {
  spec: ModelSpec;
  stateDict: StateDict;
  optimizer?: OptimizerState;
  meta: CheckpointMeta;
}

export const CHECKPOINT_FORMAT = 'med3d-checkpoint/1';
/** Optimizer tensors share the file with the weights under this prefix (never a PyTorch module path). */
const OPTIMIZER_PREFIX = '@optimizer/';

const M = {
  format: 'med3d.format',
  spec: 'med3d.spec',
  meta: 'med3d.meta',
  optimizer: 'med3d.optimizer',
  crc: 'med3d.crc32',
} as const;

export function encodeCheckpoint(ckpt: Med3dCheckpoint): Uint8Array[] {
  validateModelSpec(ckpt.spec, createHeadShapes());
  if (typeof ckpt.meta?.createdAt !== 'string') throw new Error('checkpoint meta.createdAt must be an ISO date string');
  const tensors: StateDict = new Map();
  for (const [k, t] of ckpt.stateDict) {
    if (k.startsWith(OPTIMIZER_PREFIX)) throw new Error(`weight name '${k}' uses the reserved prefix ${OPTIMIZER_PREFIX}`);
    tensors.set(k, t);
  }
  if (ckpt.optimizer) for (const [k, t] of ckpt.optimizer.state) tensors.set(OPTIMIZER_PREFIX + k, t);
  let crc = 0;
  for (const t of tensors.values()) crc = crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), crc);
  const metadata: Record<string, string> = {
    format: 'pt',
    [M.format]: CHECKPOINT_FORMAT,
    [M.spec]: JSON.stringify(ckpt.spec),
    [M.meta]: JSON.stringify(ckpt.meta),
    [M.crc]: crc.toString(16).padStart(8, '0'),
  };
  if (ckpt.optimizer) {
    const { kind, step, hyper } = ckpt.optimizer;
    metadata[M.optimizer] = JSON.stringify({ kind, step, hyper });
  }
  return encodeSafetensors(tensors, metadata);
}

/** Write `ckpt` to `file` atomically (temp file + fsync + rename). */
export async function saveCheckpoint(file: string, ckpt: Med3dCheckpoint): Promise<void> {
  let chunks: Uint8Array[];
  try {
    chunks = encodeCheckpoint(ckpt);
  } catch (err) {
    throw asWeightsError(file, err);
  }
  await atomicWriteFile(file, chunks);
}

export interface ReadCheckpointOptions {
  /** Verify the stored CRC-32 of all tensor bytes (default true). */
  verifyCrc?: boolean;
}

export function isCheckpointBytes(bytes: Uint8Array): boolean {
  return isSafetensors(bytes);
}

export function parseCheckpoint(bytes: Uint8Array, file: string, opts: ReadCheckpointOptions = {}): Med3dCheckpoint {
  try {
    const { tensors, metadata, data } = decodeSafetensors(bytes);
    if (metadata[M.format] !== CHECKPOINT_FORMAT) {
      throw new WeightsError(file, metadata[M.format] ? `unsupported checkpoint format ${metadata[M.format]}` : 'safetensors file without Med3D checkpoint metadata');
    }
    if (opts.verifyCrc !== false && metadata[M.crc] !== undefined && crc32(data).toString(16).padStart(8, '0') !== metadata[M.crc]) {
      throw new WeightsError(file, 'corrupt checkpoint: tensor data CRC mismatch');
    }
    const parse = (key: string): unknown => {
      const s = metadata[key];
      if (s === undefined) throw new WeightsError(file, `corrupt checkpoint: metadata '${key}' missing`);
      let v: unknown;
      try {
        v = JSON.parse(s) as unknown;
      } catch {
        throw new WeightsError(file, `corrupt checkpoint: metadata '${key}' is not JSON`);
      }
      // JSON.parse is iterative but everything after it (stringify, structured clone) recurses.
      if (jsonDepth(v) > MAX_METADATA_DEPTH) throw new WeightsError(file, `corrupt checkpoint: metadata '${key}' is nested more than ${MAX_METADATA_DEPTH} levels deep`);
      return v;
    };
    const spec = validateModelSpec(parse(M.spec), createHeadShapes());
    const meta = parse(M.meta) as CheckpointMeta;
    if (typeof meta !== 'object' || meta === null || typeof meta.createdAt !== 'string') throw new WeightsError(file, 'corrupt checkpoint: meta.createdAt missing');
    const stateDict: StateDict = new Map();
    const optState: StateDict = new Map();
    for (const [k, t] of tensors) {
      if (k.startsWith(OPTIMIZER_PREFIX)) optState.set(k.slice(OPTIMIZER_PREFIX.length), t);
      else stateDict.set(k, t);
    }
    const ckpt: Med3dCheckpoint = { spec, stateDict, meta };
    if (metadata[M.optimizer] !== undefined) {
      const o = parse(M.optimizer) as { kind?: unknown; step?: unknown; hyper?: unknown };
      if (typeof o.kind !== 'string' || typeof o.step !== 'number' || typeof o.hyper !== 'object' || o.hyper === null) {
        throw new WeightsError(file, 'corrupt checkpoint: optimizer metadata malformed');
      }
      ckpt.optimizer = { kind: o.kind, step: o.step, hyper: o.hyper as Record<string, JsonValue>, state: optState };
    } else if (optState.size) throw new WeightsError(file, 'corrupt checkpoint: optimizer tensors without optimizer metadata');
    return ckpt;
  } catch (err) {
    throw asWeightsError(file, err);
  }
}

/** Deepest JSON nesting accepted in checkpoint metadata (ours is a few levels deep). */
const MAX_METADATA_DEPTH = 64;

/** Nesting depth of a parsed JSON value, without recursion (a hostile value may be 100,000 deep). */
function jsonDepth(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_METADATA_DEPTH) break;
    if (x !== null && typeof x === 'object') for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

export async function readCheckpoint(file: string, opts: ReadCheckpointOptions = {}): Promise<Med3dCheckpoint> {
  return parseCheckpoint(await readWeightsFile(file), file, opts);
}
