import type { Shape5D } from '../../KernelProvider';
import { PlanBuilder, type GpuPlan, type PlanLimits } from '../GpuPlan';
import { GRID_MAIN, f32Bits, gridFor } from './grid';

/**
 * Batch norm over N, D, H, W of an NDHWC tensor seen as rows × C, PyTorch semantics (biased
 * variance). Per-channel sums are two-stage: `ROWS`-row partial sums per (chunk, channel),
 * then one thread per channel sums the chunks — short float32 sums, no atomics. The variance
 * is two-pass (Σ(x − mean)²), as in the reference, because E[x²] − E[x]² loses digits.
 * Sizes, eps and the ReLU flag travel in the uniform `P`, so each shader compiles once.
 */
const ROWS = 256;

/** Uniform layout shared by every shader here (u32; eps as float bits). */
const PARAMS = 'struct Params { rows: u32, C: u32, chunks: u32, n: u32, eps: u32, relu: u32 }';

function uniformOf(shape: Shape5D, eps: number, relu: boolean): number[] {
  const C = shape[4];
  const rows = shape[0] * shape[1] * shape[2] * shape[3];
  return [rows, C, Math.ceil(rows / ROWS), rows * C, f32Bits(eps), relu ? 1 : 0];
}

const uniformDecl = (slot: number): string => `${PARAMS}\n@group(0) @binding(${slot}) var<uniform> P: Params;\nfn eps() -> f32 { return bitcast<f32>(P.eps); }`;

/** Binding declarations at fixed slots so the expression snippets can name them. */
const bind = (slot: number, name: string, rw = false): string =>
  `@group(0) @binding(${slot}) var<storage, ${rw ? 'read_write' : 'read'}> ${name}: array<f32>;`;

/**
 * Partial sums of per-element expressions (WGSL using `idx`, the element, and `c`, its channel)
 * into part0, part1, ... [chunks][C], bound from `firstSlot` on; the uniform follows them.
 */
function partialSums(decls: string, exprs: string[], firstSlot: number): string {
  const outs = exprs.map((_, k) => bind(firstSlot + k, `part${k}`, true)).join('\n');
  return /* wgsl */ `
${decls}
${outs}
${uniformDecl(firstSlot + exprs.length)}
${GRID_MAIN}
  if (i >= P.chunks * P.C) { return; }
  let c = i % P.C;
  let r0 = (i / P.C) * ${ROWS}u;
  let r1 = min(P.rows, r0 + ${ROWS}u);
  ${exprs.map((_, k) => `var s${k} = 0.0;`).join(' ')}
  for (var row = r0; row < r1; row++) {
    let idx = row * P.C + c;
    ${exprs.map((e, k) => `s${k} += ${e};`).join(' ')}
  }
  ${exprs.map((_, k) => `part${k}[i] = s${k};`).join(' ')}
}`;
}

/** out[c] = Σ_chunk part[chunk][c] (· 1/rows when `mean`). */
function chunkSum(mean: boolean): string {
  return /* wgsl */ `
${bind(0, 'part')}
${bind(1, 'outC', true)}
${uniformDecl(2)}
${GRID_MAIN}
  if (i >= P.C) { return; }
  var s = 0.0;
  for (var k = 0u; k < P.chunks; k++) { s += part[k * P.C + i]; }
  outC[i] = ${mean ? 's / f32(P.rows)' : 's'};
}`;
}

/** y = (x − mean)·γ/√(var + eps) + β, ReLU when P.relu. */
const NORMALIZE = /* wgsl */ `
${bind(0, 'x')}
${bind(1, 'gamma')}
${bind(2, 'beta')}
${bind(3, 'mean')}
${bind(4, 'variance')}
${bind(5, 'y', true)}
${uniformDecl(6)}
${GRID_MAIN}
  if (i >= P.n) { return; }
  let c = i % P.C;
  let v = (x[i] - mean[c]) * (gamma[c] * inverseSqrt(variance[c] + eps())) + beta[c];
  y[i] = select(v, max(v, 0.0), P.relu != 0u);
}`;

const MEAN_PARTS = partialSums(bind(0, 'x'), ['x[idx]'], 1);
const VARIANCE_PARTS = partialSums(`${bind(0, 'x')}\n${bind(1, 'mean')}`, ['(x[idx] - mean[c]) * (x[idx] - mean[c])'], 2);
const CHUNK_MEAN = chunkSum(true);
const CHUNK_SUM = chunkSum(false);

/** Train forward. Inputs: x, gamma, beta. Outputs: y, mean, variance. */
export function batchNormTrainPlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const uni = uniformOf(shape, eps, relu);
  const [, C, chunks, n] = uni;
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  const b = new PlanBuilder(`batchNormTrain ${shape.join('x')}`, limits);
  const x = b.input(0, n);
  const gamma = b.input(1, C);
  const beta = b.input(2, C);
  const part = b.scratch(chunks * C);
  const mean = b.scratch(C);
  const variance = b.scratch(C);
  const y = b.scratch(n);
  const pGrid = gridFor(chunks * C, maxDim);
  const cGrid = gridFor(C, maxDim);
  const common = { uniform: uni, uniformType: 'u32' as const };
  b.dispatch({ code: MEAN_PARTS, bindings: [x, part], groups: pGrid, ...common });
  b.dispatch({ code: CHUNK_MEAN, bindings: [part, mean], groups: cGrid, ...common });
  b.dispatch({ code: VARIANCE_PARTS, bindings: [x, mean, part], groups: pGrid, ...common });
  b.dispatch({ code: CHUNK_MEAN, bindings: [part, variance], groups: cGrid, ...common });
  b.dispatch({ code: NORMALIZE, bindings: [x, gamma, beta, mean, variance, y], groups: gridFor(n, maxDim), ...common });
  return b.build([y, mean, variance]);
}

/** Inference. Inputs: x, gamma, beta, mean, variance. Output: y. */
export function batchNormInferencePlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const uni = uniformOf(shape, eps, relu);
  const [, C, , n] = uni;
  const b = new PlanBuilder(`batchNormInference ${shape.join('x')}`, limits);
  const ins = [b.input(0, n), b.input(1, C), b.input(2, C), b.input(3, C), b.input(4, C)];
  const y = b.scratch(n);
  b.dispatch({ code: NORMALIZE, bindings: [...ins, y], groups: gridFor(n, limits.maxComputeWorkgroupsPerDimension), uniform: uni, uniformType: 'u32' });
  return b.build([y]);
}

/** Declarations of the backward shaders; y (the fused ReLU's output) is a dummy when P.relu is 0. */
const BACKWARD_COMMON = /* wgsl */ `
${bind(0, 'dy')}
${bind(1, 'x')}
${bind(2, 'gamma')}
${bind(3, 'mean')}
${bind(4, 'variance')}
${bind(5, 'y')}
fn grad(idx: u32) -> f32 {
  if (P.relu != 0u && y[idx] <= 0.0) { return 0.0; }
  return dy[idx];
}
fn xhat(idx: u32, c: u32) -> f32 { return (x[idx] - mean[c]) * inverseSqrt(variance[c] + eps()); }`;

const BACKWARD_PARTS = partialSums(BACKWARD_COMMON, ['grad(idx)', 'grad(idx) * xhat(idx, c)'], 6);

const BACKWARD_DX = /* wgsl */ `
${BACKWARD_COMMON}
${bind(6, 'dbeta')}
${bind(7, 'dgamma')}
${bind(8, 'dx', true)}
${uniformDecl(9)}
${GRID_MAIN}
  if (i >= P.n) { return; }
  let c = i % P.C;
  let inv = 1.0 / f32(P.rows);
  dx[i] = gamma[c] * inverseSqrt(variance[c] + eps()) * (grad(i) - dbeta[c] * inv - xhat(i, c) * dgamma[c] * inv);
}`;

/**
 * Backward of train-mode BN (+ fused ReLU: dy masked where y <= 0).
 * Inputs: dy, x, gamma, mean, variance[, y]. Outputs: dx, dgamma, dbeta.
 *   g = dy·[y > 0];  dβ = Σg;  dγ = Σ g·x̂;  dx = γ/σ · (g − dβ/n − x̂·dγ/n)
 */
export function batchNormBackwardPlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const uni = uniformOf(shape, eps, relu);
  const [, C, chunks, n] = uni;
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  const b = new PlanBuilder(`batchNormBackward ${shape.join('x')}`, limits);
  const dy = b.input(0, n);
  const x = b.input(1, n);
  const gamma = b.input(2, C);
  const mean = b.input(3, C);
  const variance = b.input(4, C);
  const y = relu ? b.input(5, n) : b.scratch(1);
  const inputs = [dy, x, gamma, mean, variance, y];
  const p1 = b.scratch(chunks * C);
  const p2 = b.scratch(chunks * C);
  const dbeta = b.scratch(C);
  const dgamma = b.scratch(C);
  const dx = b.scratch(n);
  const common = { uniform: uni, uniformType: 'u32' as const };
  b.dispatch({ code: BACKWARD_PARTS, bindings: [...inputs, p1, p2], groups: gridFor(chunks * C, maxDim), ...common });
  b.dispatch({ code: CHUNK_SUM, bindings: [p1, dbeta], groups: gridFor(C, maxDim), ...common });
  b.dispatch({ code: CHUNK_SUM, bindings: [p2, dgamma], groups: gridFor(C, maxDim), ...common });
  b.dispatch({ code: BACKWARD_DX, bindings: [...inputs, dbeta, dgamma, dx], groups: gridFor(n, maxDim), ...common });
  return b.build([dx, dgamma, dbeta]);
}
