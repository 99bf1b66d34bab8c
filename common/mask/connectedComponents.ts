/**
 * 3D connected components of a label volume (i-fastest voxel order), shared by the engine's
 * post-processing and the editor's island tools. Iterative flood fill over one growing Int32
 * stack: no recursion, so a 512³ mask cannot overflow the call stack.
 */
export interface Components {
  /** Component id per voxel (0 = not part of the selection, ids 1..count in order of first voxel). */
  labels: Int32Array;
  /** sizes[id] = voxel count of component id (sizes[0] unused). */
  sizes: number[];
  count: number;
}

/**
 * Components of the voxels equal to `value`, or of every non-zero voxel when `value` is omitted.
 * Connectivity 6 (face neighbours, Slicer's "Islands" default) or 26 (face, edge and corner).
 */
export function connectedComponents(data: ArrayLike<number>, dims: readonly [number, number, number], value?: number, connectivity: 6 | 26 = 6): Components {
  const [nx, ny, nz] = dims;
  const n = nx * ny * nz;
  const inSet = value === undefined ? (p: number): boolean => data[p] !== 0 : (p: number): boolean => data[p] === value;
  const offsets: [number, number, number][] = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        const m = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
        if (m !== 0 && (connectivity === 26 || m === 1)) offsets.push([di, dj, dk]);
      }
  const labels = new Int32Array(n);
  const sizes: number[] = [0];
  let stack = new Int32Array(1024);
  for (let start = 0; start < n; start++) {
    if (labels[start] !== 0 || !inSet(start)) continue;
    const id = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const i = p % nx;
      const j = Math.floor(p / nx) % ny;
      const k = Math.floor(p / (nx * ny));
      for (const [di, dj, dk] of offsets) {
        const a = i + di;
        const b = j + dj;
        const c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const q = a + nx * (b + ny * c);
        if (labels[q] !== 0 || !inSet(q)) continue;
        labels[q] = id;
        if (top === stack.length) {
          const bigger = new Int32Array(stack.length * 2);
          bigger.set(stack);
          stack = bigger;
        }
        stack[top++] = q;
      }
    }
    sizes.push(size);
  }
  return { labels, sizes, count: sizes.length - 1 };
}

/** Keep only the `keep` largest components of a binary mask (6-connectivity; ties: first found). Returns a new mask. */
export function keepLargestComponents(mask: Uint8Array, dims: readonly [number, number, number], keep = 1): Uint8Array {
  const cc = connectedComponents(mask, dims);
  const kept = new Set(
    cc.sizes
      .map((s, l) => [s, l] as const)
      .slice(1)
      .sort((a, b) => b[0] - a[0])
      .slice(0, keep)
      .map(([, l]) => l),
  );
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) if (cc.labels[p] && kept.has(cc.labels[p])) out[p] = 1;
  return out;
}
