import type { Vec3 } from '../../volume/Volume';

/**
 * 3D connected components of a binary mask (6-connectivity), i-fastest voxel order.
 * Returns a label per voxel (0 = background, 1..count in order of first voxel) and the size of
 * each component (sizes[0] unused). Iterative flood fill: no recursion, one Int32 stack.
 */
export interface Components {
  labels: Int32Array;
  sizes: number[];
  count: number;
}

export function connectedComponents3d(mask: Uint8Array, dims: Vec3): Components {
  const [nx, ny, nz] = dims;
  const nxy = nx * ny;
  const n = mask.length;
  const labels = new Int32Array(n);
  const sizes: number[] = [0];
  const stack = new Int32Array(n);
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (!mask[start] || labels[start]) continue;
    count++;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = count;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const i = p % nx;
      const j = ((p - i) / nx) % ny;
      const k = (p - i - j * nx) / nxy;
      if (i > 0 && mask[p - 1] && !labels[p - 1]) (labels[p - 1] = count), (stack[top++] = p - 1);
      if (i < nx - 1 && mask[p + 1] && !labels[p + 1]) (labels[p + 1] = count), (stack[top++] = p + 1);
      if (j > 0 && mask[p - nx] && !labels[p - nx]) (labels[p - nx] = count), (stack[top++] = p - nx);
      if (j < ny - 1 && mask[p + nx] && !labels[p + nx]) (labels[p + nx] = count), (stack[top++] = p + nx);
      if (k > 0 && mask[p - nxy] && !labels[p - nxy]) (labels[p - nxy] = count), (stack[top++] = p - nxy);
      if (k < nz - 1 && mask[p + nxy] && !labels[p + nxy]) (labels[p + nxy] = count), (stack[top++] = p + nxy);
    }
    sizes.push(size);
  }
  return { labels, sizes, count };
}

/** Keep only the `keep` largest components (ties: first found). Returns a new mask. */
export function keepLargestComponents(mask: Uint8Array, dims: Vec3, keep = 1): Uint8Array {
  const cc = connectedComponents3d(mask, dims);
  const order = cc.sizes
    .map((s, l) => [s, l] as const)
    .slice(1)
    .sort((a, b) => b[0] - a[0])
    .slice(0, keep)
    .map(([, l]) => l);
  const kept = new Set(order);
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) if (cc.labels[p] && kept.has(cc.labels[p])) out[p] = 1;
  return out;
}
