import { readFile } from 'node:fs/promises';
import type { ModelSpec } from '../models/ModelSpec';
import type { StateDict } from './StateDict';
import { WeightsError, asWeightsError } from './WeightsError';
import { isCheckpointBytes, parseCheckpoint, type Med3dCheckpoint } from './checkpoint';
import { checkAgainstSpec } from './checkAgainstSpec';
import { inferArchitecture } from './inferArchitecture';
import { parsePth } from './readPth';

/**
 * One entry point for "the user gave us weights": a PyTorch .pth (zip or legacy, architecture
 * inferred from the tensors) or one of our checkpoints (architecture from its metadata, checked
 * against the tensors). The file type is decided from its bytes, not its extension.
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

export async function loadWeights(file: string, opts: LoadWeightsOptions = {}): Promise<LoadedWeights> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new WeightsError(file, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseWeights(bytes, file, opts);
}

export function parseWeights(bytes: Uint8Array, file: string, opts: LoadWeightsOptions = {}): LoadedWeights {
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
      arch = inferArchitecture(pth.stateDict);
    } catch (err) {
      throw asWeightsError(file, err);
    }
    out = { spec: arch.spec, stateDict: pth.stateDict, kind: 'pth', format: pth.format, topLevelKeys: pth.topLevelKeys, notes: [...(pth.notes ?? []), ...arch.notes] };
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
