import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs a batch-separable kernel on slices of the batch axis so that no GPU buffer exceeds the
 * adapter's binding limit: `batched` tensors (and an output of `outFloatsPerSample` floats per
 * sample) are cut along axis 0 into the largest chunks that fit, `kernel` runs per chunk, and the
 * chunk results are concatenated ('concat', e.g. conv outputs) or added ('sum', e.g. the filter
 * gradient, which sums over the batch). One chunk — the common case — calls `kernel` directly.
 * A single sample that does not fit is left to the kernel, whose plan reports it clearly.
 */
export function inBatches<T extends tf.Tensor>(
  limitBytes: number,
  batched: tf.Tensor[],
  outFloatsPerSample: number,
  combine: 'concat' | 'sum',
  kernel: (slices: tf.Tensor[]) => T,
): T {
  const N = batched[0].shape[0];
  const perSample = Math.max(outFloatsPerSample, ...batched.map((t) => t.size / N)) * 4;
  const chunk = Math.max(1, Math.floor(limitBytes / perSample));
  if (chunk >= N) return kernel(batched);
  return tf.tidy(() => {
    const parts: T[] = [];
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const n = Math.min(chunk, N - n0);
      parts.push(kernel(batched.map((t) => tf.slice(t, [n0], [n]))));
    }
    return (combine === 'concat' ? tf.concat(parts, 0) : tf.addN(parts)) as T;
  });
}
