import type { SeededRandom } from '../../../main/util/seededRandom';

/** The input formats the fuzzer mutates; each is run through its own CLI command (see fuzzTargets.ts). */
export type InputKind = 'nifti' | 'dicom' | 'pth';

/**
 * One way of damaging a file. `apply` returns the mutated bytes, or null when the mutation does not
 * fit this particular file (e.g. no NumberOfFrames-able DICOM element); the fuzzer then picks another.
 * `detail` receives a short description of what was changed (kept with failing inputs).
 */
export interface Mutation {
  kinds: readonly InputKind[];
  apply(bytes: Uint8Array, rng: SeededRandom, detail: (what: string) => void): Uint8Array | null;
}

export const pick = <T>(rng: SeededRandom, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
