import type { Vec3 } from '../../volume/Volume';

/**
 * 2D operations applied slice by slice along one voxel axis (the "axial" axis of a scan).
 * Voxel order is i-fastest; `axis` is the index (0, 1, 2) that is held fixed per slice.
 */

interface SliceGeometry {
  /** Size of the two in-plane axes (u fastest) and of the slicing axis. */
  nu: number;
  nv: number;
  ns: number;
  /** Linear index of (u, v, s). */
  index: (u: number, v: number, s: number) => number;
}

export function sliceGeometry(dims: Vec3, axis: 0 | 1 | 2): SliceGeometry {
  const [nx, ny] = dims;
  const strides = [1, nx, nx * ny];
  const inPlane = [0, 1, 2].filter((a) => a !== axis);
  const su = strides[inPlane[0]];
  const sv = strides[inPlane[1]];
  const ss = strides[axis];
  return { nu: dims[inPlane[0]], nv: dims[inPlane[1]], ns: dims[axis], index: (u, v, s) => u * su + v * sv + s * ss };
}

/**
 * Per slice, mark the voxels of `mask` that are 4-connected to the slice's border.
 * Used to find the air outside the body: it touches the image edge in every axial slice.
 */
export function borderConnected2d(mask: Uint8Array, dims: Vec3, axis: 0 | 1 | 2): Uint8Array {
  const g = sliceGeometry(dims, axis);
  const out = new Uint8Array(mask.length);
  const stack = new Int32Array(g.nu * g.nv);
  for (let s = 0; s < g.ns; s++) {
    let top = 0;
    const push = (u: number, v: number): void => {
      const p = g.index(u, v, s);
      if (mask[p] && !out[p]) {
        out[p] = 1;
        stack[top++] = u + g.nu * v;
      }
    };
    for (let u = 0; u < g.nu; u++) push(u, 0), push(u, g.nv - 1);
    for (let v = 0; v < g.nv; v++) push(0, v), push(g.nu - 1, v);
    while (top > 0) {
      const q = stack[--top];
      const u = q % g.nu;
      const v = (q - u) / g.nu;
      if (u > 0) push(u - 1, v);
      if (u < g.nu - 1) push(u + 1, v);
      if (v > 0) push(u, v - 1);
      if (v < g.nv - 1) push(u, v + 1);
    }
  }
  return out;
}

/**
 * Fill holes per slice: background not 4-connected to the slice border becomes foreground.
 * `maxHolePixels` (default unlimited) leaves larger enclosed regions alone, e.g. the dome of the
 * diaphragm that shows as an island inside the lung on axial slices.
 */
export function fillHoles2d(mask: Uint8Array, dims: Vec3, axis: 0 | 1 | 2, maxHolePixels = Infinity): Uint8Array {
  const g = sliceGeometry(dims, axis);
  const bg = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) bg[p] = mask[p] ? 0 : 1;
  const outside = borderConnected2d(bg, dims, axis);
  const out = new Uint8Array(mask);
  if (maxHolePixels === Infinity) {
    for (let p = 0; p < mask.length; p++) if (!outside[p]) out[p] = 1;
    return out;
  }
  // Label each hole in its slice and fill only the small ones.
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(g.nu * g.nv);
  const members: number[] = [];
  for (let s = 0; s < g.ns; s++)
    for (let v0 = 0; v0 < g.nv; v0++)
      for (let u0 = 0; u0 < g.nu; u0++) {
        const p0 = g.index(u0, v0, s);
        if (mask[p0] || outside[p0] || seen[p0]) continue;
        members.length = 0;
        let top = 0;
        stack[top++] = u0 + g.nu * v0;
        seen[p0] = 1;
        while (top > 0) {
          const q = stack[--top];
          const u = q % g.nu;
          const v = (q - u) / g.nu;
          members.push(g.index(u, v, s));
          const nbs: [number, number][] = [
            [u - 1, v],
            [u + 1, v],
            [u, v - 1],
            [u, v + 1],
          ];
          for (const [a, b] of nbs) {
            if (a < 0 || b < 0 || a >= g.nu || b >= g.nv) continue;
            const r = g.index(a, b, s);
            if (mask[r] || seen[r]) continue;
            seen[r] = 1;
            stack[top++] = a + g.nu * b;
          }
        }
        if (members.length <= maxHolePixels) for (const m of members) out[m] = 1;
      }
  return out;
}
