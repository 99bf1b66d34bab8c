import type { Mutation } from './Mutation';
import { pick } from './Mutation';

/** Format-blind damage: what a partial download, a bad disk or a bit-rotting archive does. */
export const genericMutations: Record<string, Mutation> = {
  truncate: {
    kinds: ['nifti', 'dicom', 'pth'],
    apply(bytes, rng, detail) {
      if (bytes.length < 2) return null;
      // Favour cuts near the start (headers) and near the end (last bytes of the data).
      const at = pick(rng, [rng.int(0, Math.min(bytes.length - 1, 600)), rng.int(0, bytes.length - 1), bytes.length - rng.int(1, Math.min(64, bytes.length - 1))]);
      detail(`cut at ${at} of ${bytes.length}`);
      return bytes.slice(0, at);
    },
  },
  byteFlip: {
    kinds: ['nifti', 'dicom', 'pth'],
    apply(bytes, rng, detail) {
      if (!bytes.length) return null;
      const out = bytes.slice();
      const n = rng.int(1, 8);
      const where: number[] = [];
      for (let i = 0; i < n; i++) {
        // Half the flips land in the first 2 KB, where headers and tables live.
        const at = rng.next() < 0.5 ? rng.int(0, Math.min(2047, out.length - 1)) : rng.int(0, out.length - 1);
        out[at] = pick(rng, [0x00, 0xff, 0x7f, 0x80, out[at] ^ (1 << rng.int(0, 7)), rng.int(0, 255)]);
        where.push(at);
      }
      detail(`bytes at ${where.join(',')}`);
      return out;
    },
  },
};
