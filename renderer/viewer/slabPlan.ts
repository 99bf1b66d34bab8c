/** A run of whole k-slices fetched in one getVoxels call. */
export interface Slab {
  kStart: number;
  kCount: number;
}

/**
 * The order a volume's k-slices are fetched in: first the few slices at the centre (where the
 * views open, so the first image needs only those), then slabs of `slabSlices` alternately above
 * and below, growing outward, so the region around what is shown fills in first. Every slice is
 * fetched exactly once. The order is symmetric, so it holds whether or not the display flips k.
 */
export function slabPlan(nz: number, slabSlices: number): Slab[] {
  if (!(nz >= 1) || !(slabSlices >= 1)) throw new Error(`slabPlan needs at least one slice and a slab size ≥ 1 (got ${nz}, ${slabSlices})`);
  const lo = Math.max(0, Math.floor((nz - 1) / 2) - 1);
  const hi = Math.min(nz, Math.ceil((nz - 1) / 2) + 2);
  const plan: Slab[] = [{ kStart: lo, kCount: hi - lo }];
  let up = hi;
  let down = lo;
  while (up < nz || down > 0) {
    if (up < nz) {
      const n = Math.min(slabSlices, nz - up);
      plan.push({ kStart: up, kCount: n });
      up += n;
    }
    if (down > 0) {
      const n = Math.min(slabSlices, down);
      down -= n;
      plan.push({ kStart: down, kCount: n });
    }
  }
  return plan;
}

/** Slices per slab for a target slab size in bytes (at least one slice). */
export function slicesPerSlab(sliceBytes: number, targetBytes: number): number {
  return Math.max(1, Math.floor(targetBytes / Math.max(1, sliceBytes)));
}
