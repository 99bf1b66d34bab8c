import { u } from './grid';

/**
 * Tiled matrix multiply C[M×N] = A[M×K] · B[K×N] with workgroup memory, where A and B are not
 * stored matrices but WGSL functions (`loadA(m, k)`, `loadB(k, n)`) that gather from tensors:
 * this is the implicit GEMM every conv kernel here is written as. A 64-thread workgroup
 * computes a 64×16 tile of C, each thread a 4×4 block, stepping K in slices of 16 through
 * shared tiles. Optional split-K (groups.z > 1) writes `splits` partial results
 * [split][M][N] to be summed by `splitKReduce` — used when K is long and M×N small
 * (the filter gradient), which gives the GPU enough workgroups and shortens float32 sums.
 *
 * Every size is a field of the uniform `P` (struct Params, all u32), never a WGSL constant, so
 * one compiled pipeline serves every layer shape: shader compilation, not arithmetic, is what
 * costs seconds on software adapters.
 */
const THREADS = 64;
/** Default workgroup storage limit (bytes) every adapter grants. */
const WORKGROUP_BYTES = 16384;

/**
 * Workgroup shape: 4 threads across N × 16 down M, each thread 4×4 outputs, so a 64×16 tile.
 * One shape for every layer on purpose: each shape is another pipeline to compile per kernel,
 * and compiling (seconds per GEMM on software adapters) costs more than idle lanes. Small
 * workgroups measured fastest on SwiftShader (fewer invocations per barrier): 3x3x3 16→16 conv on
 * 1x8x16x16, forward 0.034–0.040 GFLOP/s with 64 threads vs 0.020 with 256 (loaded 2-core host).
 */
const TX = 4;
const TY = THREADS / TX;

export interface GemmSpec {
  M: number;
  N: number;
  K: number;
  /** Extra u32 fields of the uniform struct (name → value), readable as `P.name` in the snippets. */
  params: [string, number][];
  /** Declarations (extra bindings from 3 on, helper functions) placed before the loaders. */
  decls: string;
  /** Body of `fn loadA(m: u32, k: u32) -> f32`, called only with m < M, k < K. Bound at 0: `srcA`. */
  loadA: string;
  /** Body of `fn loadB(k: u32, n: u32) -> f32`, called only with k < K, n < N. Bound at 1: `srcB`. */
  loadB: string;
  /** Which index consecutive threads take when filling the A tile: the contiguous one in memory. */
  aFast: 'm' | 'k';
  bFast: 'k' | 'n';
  /** WGSL expression of `v` (the dot product), `m`, `n` written to `outC` (binding 2); default `v`. Read `N` as `P.N`. */
  epilogue?: string;
  /**
   * Body of `fn storeC(m: u32, n: u32, v: f32)` when C is not stored row-major at outC[m·N + n]
   * (a scatter, e.g. one stride phase of the input gradient); no epilogue or split-K then.
   */
  store?: string;
  /** Number of K splits (default 1). */
  splits?: number;
  /** Binding slot of the uniform: the number of storage bindings the dispatch passes. */
  uniformSlot: number;
}

export interface GemmDispatch {
  code: string;
  groups: [number, number, number];
  uniform: number[];
  /** Elements of the output buffer: M·N·splits. */
  outElements: number;
}

export function gemm(s: GemmSpec, maxPerDim: number): GemmDispatch {
  const splits = s.splits ?? 1;
  const TM = 4 * TY;
  const TN = 4 * TX;
  // Deeper K slices halve the barriers (costly on software adapters) where the tiles still fit.
  const TK = (TM + TN) * 16 * 4 <= WORKGROUP_BYTES ? 16 : 8;
  const kPerSplit = Math.ceil(s.K / splits / TK) * TK;
  const nTiles = Math.ceil(s.N / TN);
  const tiles = nTiles * Math.ceil(s.M / TM);
  const gx = Math.min(tiles, maxPerDim);
  const gy = Math.ceil(tiles / gx);
  const fields: [string, number][] = [['M', s.M], ['N', s.N], ['K', s.K], ['KS', kPerSplit], ['NT', nTiles], ['TILES', tiles], ['AR', Math.ceil((TK * TM) / THREADS)], ['BR', Math.ceil((TK * TN) / THREADS)], ...s.params];
  for (const [name, v] of fields) u(v); // validates each value fits u32
  const tileIdx = (fast: string, a: string, b: string, A: number, B: number): string =>
    fast === a ? `let ${a}${a} = idx % ${u(A)}; let ${b}${b} = idx / ${u(A)};` : `let ${b}${b} = idx % ${u(B)}; let ${a}${a} = idx / ${u(B)};`;
  const code = /* wgsl */ `
struct Params { ${fields.map(([n]) => `${n}: u32`).join(', ')} }
@group(0) @binding(${s.uniformSlot}) var<uniform> P: Params;
const TM = ${u(TM)};
const TN = ${u(TN)};
const TK = ${u(TK)};
@group(0) @binding(0) var<storage, read> srcA: array<f32>;
@group(0) @binding(1) var<storage, read> srcB: array<f32>;
@group(0) @binding(2) var<storage, read_write> outC: array<f32>;
${s.decls}
fn loadA(m: u32, k: u32) -> f32 {
${s.loadA}
}
fn loadB(k: u32, n: u32) -> f32 {
${s.loadB}
}
fn storeC(m: u32, n: u32, split: u32, v: f32) {
${s.store ?? `  outC[split * P.M * P.N + m * P.N + n] = ${s.epilogue ?? 'v'};`}
}
fn storeRow(m: u32, n: u32, split: u32, v: vec4f) {
  if (m >= P.M) { return; }
  for (var c = 0u; c < 4u; c++) {
    if (n + c < P.N) { storeC(m, n + c, split, v[c]); }
  }
}
var<workgroup> As: array<f32, ${TK * TM}>;
var<workgroup> Bs: array<f32, ${TK * TN}>;

@compute @workgroup_size(${TX}, ${TY}, 1)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let M = P.M;
  let N = P.N;
  let tile = wid.y * nwg.x + wid.x;
  if (tile >= P.TILES) { return; }
  let n0 = (tile % P.NT) * TN;
  let m0 = (tile / P.NT) * TM;
  let split = wid.z;
  let kBegin = split * P.KS;
  let kEnd = min(P.K, kBegin + P.KS);
  let tid = lid.y * ${u(TX)} + lid.x;
  // Four row accumulators as vectors: no dynamically indexed private array (slow to compile and
  // to run on software adapters).
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    // Trip counts come from the uniform so the compiler keeps one copy of the inlined loader
    // instead of unrolling it up to 16 times (compile time dominates on software adapters).
    for (var r = 0u; r < P.AR; r++) {
      let idx = tid + r * ${u(THREADS)};
      ${tileIdx(s.aFast, 'k', 'm', TK, TM)}
      let m = m0 + mm;
      let k = k0 + kk;
      var v = 0.0;
      if (m < M && k < kEnd) { v = loadA(m, k); }
      As[kk * TM + mm] = v;
    }
    for (var r = 0u; r < P.BR; r++) {
      let idx = tid + r * ${u(THREADS)};
      if (idx >= ${u(TK * TN)}) { break; }
      ${tileIdx(s.bFast, 'k', 'n', TK, TN)}
      let n = n0 + nn;
      let k = k0 + kk;
      var v = 0.0;
      if (n < N && k < kEnd) { v = loadB(k, n); }
      Bs[kk * TN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let ao = kk * TM + lid.y * 4u;
      let bo = kk * TN + lid.x * 4u;
      let b = vec4f(Bs[bo], Bs[bo + 1u], Bs[bo + 2u], Bs[bo + 3u]);
      acc0 = fma(vec4f(As[ao]), b, acc0);
      acc1 = fma(vec4f(As[ao + 1u]), b, acc1);
      acc2 = fma(vec4f(As[ao + 2u]), b, acc2);
      acc3 = fma(vec4f(As[ao + 3u]), b, acc3);
    }
    workgroupBarrier();
  }
  storeRow(m0 + lid.y * 4u, n0 + lid.x * 4u, split, acc0);
  storeRow(m0 + lid.y * 4u + 1u, n0 + lid.x * 4u, split, acc1);
  storeRow(m0 + lid.y * 4u + 2u, n0 + lid.x * 4u, split, acc2);
  storeRow(m0 + lid.y * 4u + 3u, n0 + lid.x * 4u, split, acc3);
}
`;
  return { code, groups: [gx, gy, splits], uniform: fields.map(([, v]) => v), outElements: s.M * s.N * splits };
}
