/**
 * One-thread-per-element dispatch shape for element-wise kernels: 256-thread workgroups folded
 * into a 2-D grid so tensors beyond 65535 × 256 elements still fit the per-dimension limit.
 * The WGSL side recovers the flat index with GRID_INDEX.
 */
const WORKGROUP = 256;

export function gridFor(elements: number, maxPerDim: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(elements / WORKGROUP));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x), 1];
}

/** Entry-point signature + flat index `i` for kernels dispatched with gridFor. */
export const GRID_MAIN = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.y * nwg.x * ${WORKGROUP}u + gid.x;`;

/** WGSL u32 literal (throws on values the index arithmetic cannot hold). */
export function u(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`webgpu: index ${n} does not fit u32`);
  return `${n}u`;
}

/** WGSL i32 literal. */
export function i(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) > 0x7fffffff) throw new Error(`webgpu: value ${n} does not fit i32`);
  return `${n}i`;
}

/** WGSL f32 literal that round-trips (always has a decimal point or exponent). */
export function f(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`webgpu: non-finite constant ${n}`);
  const s = String(Math.fround(n));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** The IEEE-754 float32 bits of `n`, for f32 values carried in a u32 uniform (`bitcast<f32>`). */
export function f32Bits(n: number): number {
  return new Uint32Array(Float32Array.of(n).buffer)[0];
}
