import type { Shape5D } from '../../KernelProvider';
import { PlanBuilder, type GpuPlan, type PlanLimits } from '../GpuPlan';
import { GRID_MAIN, f, gridFor, u } from './grid';

/**
 * Batch norm over N, D, H, W of an NDHWC tensor seen as rows × C, PyTorch semantics (biased
 * variance). Per-channel sums are two-stage: `ROWS`-row partial sums per (chunk, channel),
 * then one thread per channel sums the chunks — short float32 sums, no atomics. The variance
 * is two-pass (Σ(x − mean)²), as in the reference, because E[x²] − E[x]² loses digits.
 */
const ROWS = 256;

interface Rows {
  rows: number;
  C: number;
  chunks: number;
}

function rowsOf(shape: Shape5D): Rows {
  const C = shape[4];
  const rows = shape[0] * shape[1] * shape[2] * shape[3];
  return { rows, C, chunks: Math.ceil(rows / ROWS) };
}

/**
 * Partial sums of up to two per-element expressions (`e1`, `e2`, WGSL using `x(idx)` helpers the
 * caller declares, with `idx` the element and `c` its channel) into part0/part1 [chunks][C],
 * bound from `firstSlot` on.
 */
function partialSums(r: Rows, decls: string, exprs: string[], firstSlot: number): string {
  const outs = exprs.map((_, k) => `@group(0) @binding(${firstSlot + k}) var<storage, read_write> part${k}: array<f32>;`).join('\n');
  return /* wgsl */ `
${decls}
${outs}
${GRID_MAIN}
  if (i >= ${u(r.chunks * r.C)}) { return; }
  let c = i % ${u(r.C)};
  let chunk = i / ${u(r.C)};
  let r0 = chunk * ${u(ROWS)};
  let r1 = min(${u(r.rows)}, r0 + ${u(ROWS)});
  ${exprs.map((_, k) => `var s${k} = 0.0;`).join(' ')}
  for (var row = r0; row < r1; row++) {
    let idx = row * ${u(r.C)} + c;
    ${exprs.map((e, k) => `s${k} += ${e};`).join(' ')}
  }
  ${exprs.map((_, k) => `part${k}[i] = s${k};`).join(' ')}
}`;
}

/** out[c] = scale · Σ_chunk part[chunk][c]. */
function chunkSum(r: Rows, scale: number): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> outC: array<f32>;
${GRID_MAIN}
  if (i >= ${u(r.C)}) { return; }
  var s = 0.0;
  for (var k = 0u; k < ${u(r.chunks)}; k++) { s += part[k * ${u(r.C)} + i]; }
  outC[i] = s * ${f(scale)};
}`;
}

/** Binding declarations at fixed slots so the expression snippets can name them. */
const bind = (slot: number, name: string, rw = false): string =>
  `@group(0) @binding(${slot}) var<storage, ${rw ? 'read_write' : 'read'}> ${name}: array<f32>;`;

/** Normalise with given statistics: y = (x − mean)·γ/√(var + eps) + β, optional ReLU. */
function normalize(n: number, C: number, eps: number, relu: boolean): string {
  return /* wgsl */ `
${bind(0, 'x')}
${bind(1, 'gamma')}
${bind(2, 'beta')}
${bind(3, 'mean')}
${bind(4, 'variance')}
${bind(5, 'y', true)}
${GRID_MAIN}
  if (i >= ${u(n)}) { return; }
  let c = i % ${u(C)};
  let v = (x[i] - mean[c]) * (gamma[c] * inverseSqrt(variance[c] + ${f(eps)})) + beta[c];
  y[i] = ${relu ? 'max(v, 0.0)' : 'v'};
}`;
}

/** Train forward. Inputs: x, gamma, beta. Outputs: y, mean, variance. */
export function batchNormTrainPlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const r = rowsOf(shape);
  const n = r.rows * r.C;
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  const b = new PlanBuilder(`batchNormTrain ${shape.join('x')}`, limits);
  const x = b.input(0, n);
  const gamma = b.input(1, r.C);
  const beta = b.input(2, r.C);
  const part = b.scratch(r.chunks * r.C);
  const mean = b.scratch(r.C);
  const variance = b.scratch(r.C);
  const y = b.scratch(n);
  const pGrid = gridFor(r.chunks * r.C, maxDim);
  const cGrid = gridFor(r.C, maxDim);
  b.dispatch({ code: partialSums(r, bind(0, 'x'), ['x[idx]'], 1), bindings: [x, part], groups: pGrid });
  b.dispatch({ code: chunkSum(r, 1 / r.rows), bindings: [part, mean], groups: cGrid });
  b.dispatch({
    code: partialSums(r, `${bind(0, 'x')}\n${bind(1, 'mean')}`, ['(x[idx] - mean[c]) * (x[idx] - mean[c])'], 2),
    bindings: [x, mean, part],
    groups: pGrid,
  });
  b.dispatch({ code: chunkSum(r, 1 / r.rows), bindings: [part, variance], groups: cGrid });
  b.dispatch({ code: normalize(n, r.C, eps, relu), bindings: [x, gamma, beta, mean, variance, y], groups: gridFor(n, maxDim) });
  return b.build([y, mean, variance]);
}

/** Inference. Inputs: x, gamma, beta, mean, variance. Output: y. */
export function batchNormInferencePlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const r = rowsOf(shape);
  const n = r.rows * r.C;
  const b = new PlanBuilder(`batchNormInference ${shape.join('x')}`, limits);
  const ins = [b.input(0, n), b.input(1, r.C), b.input(2, r.C), b.input(3, r.C), b.input(4, r.C)];
  const y = b.scratch(n);
  b.dispatch({ code: normalize(n, r.C, eps, relu), bindings: [...ins, y], groups: gridFor(n, limits.maxComputeWorkgroupsPerDimension) });
  return b.build([y]);
}

/**
 * Backward of train-mode BN (+ fused ReLU: dy masked where y <= 0).
 * Inputs: dy, x, gamma, mean, variance[, y]. Outputs: dx, dgamma, dbeta.
 *   g = dy·[y > 0];  dβ = Σg;  dγ = Σ g·x̂;  dx = γ/σ · (g − dβ/n − x̂·dγ/n)
 */
export function batchNormBackwardPlan(shape: Shape5D, eps: number, relu: boolean, limits: PlanLimits): GpuPlan {
  const r = rowsOf(shape);
  const n = r.rows * r.C;
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  const b = new PlanBuilder(`batchNormBackward ${shape.join('x')}`, limits);
  const dy = b.input(0, n);
  const x = b.input(1, n);
  const gamma = b.input(2, r.C);
  const mean = b.input(3, r.C);
  const variance = b.input(4, r.C);
  const y = relu ? b.input(5, n) : -1;
  const common = /* wgsl */ `
${bind(0, 'dy')}
${bind(1, 'x')}
${bind(2, 'gamma')}
${bind(3, 'mean')}
${bind(4, 'variance')}
${relu ? bind(5, 'y') : ''}
fn grad(idx: u32) -> f32 { return ${relu ? 'select(0.0, dy[idx], y[idx] > 0.0)' : 'dy[idx]'}; }
fn xhat(idx: u32, c: u32) -> f32 { return (x[idx] - mean[c]) * inverseSqrt(variance[c] + ${f(eps)}); }`;
  const inputs = relu ? [dy, x, gamma, mean, variance, y] : [dy, x, gamma, mean, variance];
  const p1 = b.scratch(r.chunks * r.C);
  const p2 = b.scratch(r.chunks * r.C);
  const dbeta = b.scratch(r.C);
  const dgamma = b.scratch(r.C);
  const dx = b.scratch(n);
  // The partial-sum outputs take the two slots after the inputs.
  const slot = inputs.length;
  const code = partialSums(r, common, ['grad(idx)', 'grad(idx) * xhat(idx, c)'], slot);
  b.dispatch({ code, bindings: [...inputs, p1, p2], groups: gridFor(r.chunks * r.C, maxDim) });
  b.dispatch({ code: chunkSum(r, 1), bindings: [p1, dbeta], groups: gridFor(r.C, maxDim) });
  b.dispatch({ code: chunkSum(r, 1), bindings: [p2, dgamma], groups: gridFor(r.C, maxDim) });
  const dxCode = /* wgsl */ `
${common}
@group(0) @binding(${slot}) var<storage, read> dbeta: array<f32>;
@group(0) @binding(${slot + 1}) var<storage, read> dgamma: array<f32>;
@group(0) @binding(${slot + 2}) var<storage, read_write> dx: array<f32>;
${GRID_MAIN}
  if (i >= ${u(n)}) { return; }
  let c = i % ${u(r.C)};
  let inv = 1.0 / ${f(r.rows)};
  dx[i] = gamma[c] * inverseSqrt(variance[c] + ${f(eps)}) * (grad(i) - dbeta[c] * inv - xhat(i, c) * dgamma[c] * inv);
}`;
  b.dispatch({ code: dxCode, bindings: [...inputs, dbeta, dgamma, dx], groups: gridFor(n, maxDim) });
  return b.build([dx, dgamma, dbeta]);
}
