import { u } from './grid';

/**
 * Tiled matrix multiply C[M×N] = A[M×K] · B[K×N] with workgroup memory, where A and B are not
 * stored matrices but WGSL functions (`loadA(m, k)`, `loadB(k, n)`) that gather from tensors:
 * this is the implicit GEMM every conv kernel here is written as. A 256-thread workgroup
 * computes a tile of C (64×64 for wide layers), each thread a 4×4 block, stepping K in slices of 8 through
 * shared tiles (the tile's aspect follows N, see tileShape). Optional split-K (groups.z > 1) writes `splits` partial results
 * [split][M][N] to be summed by `splitKReduce` — used when K is long and M×N small
 * (the filter gradient), which gives the GPU enough workgroups and shortens float32 sums.
 *
 * Every size is a field of the uniform `P` (struct Params, all u32), never a WGSL constant, so
 * one compiled pipeline serves every layer shape: shader compilation, not arithmetic, is what
 * costs seconds on software adapters.
 */
const THREADS = 256;
/** Default workgroup storage limit (bytes) every adapter grants. */
const WORKGROUP_BYTES = 16384;

/**
 * Workgroup shape by output width: threads across N × threads down M (product 256), each
 * thread 4×4 outputs. Narrow layers (16–32 channels, common in MedicalNet's width-8..32 nets
 * and the conv1 gradient) would otherwise leave most of a 64-wide tile idle.
 */
function tileShape(N: number): { tx: number; ty: number } {
  // At most 256 rows: A tile + B tile must stay under the 16 KiB default workgroup storage.
  const tx = N <= 16 ? 4 : N <= 32 ? 8 : 16;
  return { tx, ty: THREADS / tx };
}

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
  const { tx, ty } = tileShape(s.N);
  const TM = 4 * ty;
  const TN = 4 * tx;
  // Deeper K slices halve the barriers (costly on software adapters) where the tiles still fit.
  const TK = (TM + TN) * 16 * 4 <= WORKGROUP_BYTES ? 16 : 8;
  const kPerSplit = Math.ceil(s.K / splits / TK) * TK;
  const nTiles = Math.ceil(s.N / TN);
  const tiles = nTiles * Math.ceil(s.M / TM);
  const gx = Math.min(tiles, maxPerDim);
  const gy = Math.ceil(tiles / gx);
  const fields: [string, number][] = [['M', s.M], ['N', s.N], ['K', s.K], ['KS', kPerSplit], ['NT', nTiles], ['TILES', tiles], ...s.params];
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
var<workgroup> As: array<f32, ${TK * TM}>;
var<workgroup> Bs: array<f32, ${TK * TN}>;

@compute @workgroup_size(${tx}, ${ty}, 1)
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
  let tid = lid.y * ${u(tx)} + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    for (var r = 0u; r < ${u((TK * TM) / THREADS)}; r++) {
      let idx = tid + r * ${u(THREADS)};
      ${tileIdx(s.aFast, 'k', 'm', TK, TM)}
      let m = m0 + mm;
      let k = k0 + kk;
      var v = 0.0;
      if (m < M && k < kEnd) { v = loadA(m, k); }
      As[kk * TM + mm] = v;
    }
    for (var r = 0u; r < ${u(Math.ceil((TK * TN) / THREADS))}; r++) {
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
      let a = vec4f(As[kk * TM + lid.y * 4u], As[kk * TM + lid.y * 4u + 1u], As[kk * TM + lid.y * 4u + 2u], As[kk * TM + lid.y * 4u + 3u]);
      let b = vec4f(Bs[kk * TN + lid.x * 4u], Bs[kk * TN + lid.x * 4u + 1u], Bs[kk * TN + lid.x * 4u + 2u], Bs[kk * TN + lid.x * 4u + 3u]);
      for (var r = 0u; r < 4u; r++) {
        for (var c = 0u; c < 4u; c++) {
          acc[r * 4u + c] = fma(a[r], b[c], acc[r * 4u + c]);
        }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      let m = m0 + lid.y * 4u + r;
      let n = n0 + lid.x * 4u + c;
      if (m < M && n < N) {
        storeC(m, n, split, acc[r * 4u + c]);
      }
    }
  }
}
`;
  return { code, groups: [gx, gy, splits], uniform: fields.map(([, v]) => v), outElements: s.M * s.N * splits };
}
