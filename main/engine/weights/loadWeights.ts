import { createHeadShapes } from '../models/heads/headShapes';
import type { ModelSpec } from '../models/ModelSpec';
import type { StateDict } from '../nn/StateDict';
import { WeightsError, asWeightsError } from './WeightsError';
import { isCheckpointBytes, parseCheckpoint, type Med3dCheckpoint } from './checkpoint';
import { checkAgainstSpec } from './checkAgainstSpec';
import { inferArchitecture } from './inferArchitecture';
import { parsePth } from './readPth';
import { readWeightsFile } from './readWeightsFile';
import { modelLayout } from './resnetLayout';

/**
 * One entry point for "the user gave us weights": a PyTorch .pth (zip or legacy, architecture
 * inferred from the tensors) or one of our checkpoints (architecture from its metadata, checked
 * against the tensors). The file type is decided from its bytes, not its extension. Heads are the
 * engine's (createHeadShapes()): this is the boundary where a user's file meets them.
 */
export interface LoadedWeights {
  spec: ModelSpec;
  stateDict: StateDict;
  kind: 'pth' | 'med3d';
  /** Present for our own checkpoints (optimizer state, metadata). */
  checkpoint?: Med3dCheckpoint;
  /** Container format: 'zip' | 'legacy' for .pth, 'med3d' for ours. (Additive field.) */
  format?: 'zip' | 'legacy' | 'med3d';
  /** Top-level keys of a .pth (e.g. ['state_dict']; [] when bare). (Additive field.) */
  topLevelKeys?: string[];
  /** Inference and loading notes worth showing the user. (Additive field.) */
  notes?: string[];
}

export interface LoadWeightsOptions {
  /** Refuse weights that do not fit this architecture (error names the offending keys). */
  expect?: ModelSpec;
  /** Verify checksums (zip CRC-32, checkpoint CRC); default true. */
  verifyCrc?: boolean;
}

/**
 * Add the num_batches_tracked buffers that pre-0.4.1 PyTorch files lack (as 0, like PyTorch's own
 * BatchNorm loader), in the model's key order, so strict loading works. Returns `sd` itself when
 * nothing is missing.
 */
export function withBnCounters(sd: StateDict, spec: ModelSpec): StateDict {
  const { layout } = modelLayout(spec);
  const missing = [...layout.keys()].filter((k) => k.endsWith('.num_batches_tracked') && !sd.has(k));
  if (!missing.length) return sd;
  const out: StateDict = new Map();
  for (const k of layout.keys()) {
    const t = sd.get(k);
    if (t) out.set(k, t);
    else if (k.endsWith('.num_batches_tracked')) out.set(k, { dtype: 'int64', shape: [], data: new BigInt64Array(1) });
  }
  for (const [k, t] of sd) if (!out.has(k)) out.set(k, t);
  return out;
}

export async function loadWeights(file: string, opts: LoadWeightsOptions = {}): Promise<LoadedWeights> {
  return parseWeights(await readWeightsFile(file), file, opts);
}

/**
 * The reader boundary for weights: whatever goes wrong inside (including an engine error that slipped
 * past a check) leaves as one WeightsError naming the file.
 */
export function parseWeights(bytes: Uint8Array, file: string, opts: LoadWeightsOptions = {}): LoadedWeights {
  try {
    return parseWeightsUnguarded(bytes, file, opts);
  } catch (err) {
    throw asWeightsError(file, err);
  }
}

function parseWeightsUnguarded(bytes: Uint8Array, file: string, opts: LoadWeightsOptions): LoadedWeights {
  let out: LoadedWeights;
  if (isCheckpointBytes(bytes)) {
    const checkpoint = parseCheckpoint(bytes, file, opts);
    try {
      checkAgainstSpec(checkpoint.stateDict, checkpoint.spec);
    } catch (err) {
      throw new WeightsError(file, `tensors disagree with the checkpoint's own architecture: ${(err as Error).message}`);
    }
    out = { spec: checkpoint.spec, stateDict: checkpoint.stateDict, kind: 'med3d', checkpoint, format: 'med3d', notes: [] };
  } else {
    const pth = parsePth(bytes, file, opts);
    let arch;
    try {
      arch = inferArchitecture(createHeadShapes(), pth.stateDict);
    } catch (err) {
      throw asWeightsError(file, err);
    }
    out = { spec: arch.spec, stateDict: withBnCounters(pth.stateDict, arch.spec), kind: 'pth', format: pth.format, topLevelKeys: pth.topLevelKeys, notes: [...(pth.notes ?? []), ...arch.notes] };
  }
  if (opts.expect) {
    try {
      checkAgainstSpec(out.stateDict, opts.expect);
    } catch (err) {
      throw asWeightsError(file, err);
    }
  }
  return out;
}
