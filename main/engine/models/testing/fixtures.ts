import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Reading ../shared/fixtures/medicalnet (manifest + raw tensors) for tests. Test support only.
 */
export interface Tolerance {
  max_abs_diff: number;
  max_rel_diff: number;
}

export interface TensorFile {
  file: string;
  shape: number[];
  dtype: string;
}

export interface FixtureCase {
  name: string;
  kind: 'forward' | 'train' | 'encoder';
  checkpoints: { file: string; format: 'zip' | 'legacy'; encoder_only: boolean }[];
  input: TensorFile;
  labels?: TensorFile;
  expected: Record<string, TensorFile & Record<string, unknown>> & { grads?: Record<string, TensorFile> };
  tolerance: Record<string, Tolerance>;
}

export function readManifest(dir: string): { cases: FixtureCase[] } {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { cases: FixtureCase[] };
}

export function readF32(dir: string, file: string): Float32Array {
  const b = readFileSync(path.join(dir, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function readI32(dir: string, file: string): Int32Array {
  const b = readFileSync(path.join(dir, file));
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Worst violation of |a - e| <= abs + rel·|e|; <= 0 means within tolerance. */
export function worstExcess(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): { excess: number; maxAbs: number; at: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  let excess = -Infinity;
  let maxAbs = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxAbs)) maxAbs = d;
    const e = d - (tol.max_abs_diff + tol.max_rel_diff * Math.abs(expected[i]));
    if (!(e <= excess)) {
      excess = e;
      at = i;
    }
  }
  return { excess, maxAbs, at };
}
