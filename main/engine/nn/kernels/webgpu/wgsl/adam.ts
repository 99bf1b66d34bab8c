import { PlanBuilder, type GpuPlan, type PlanLimits } from '../GpuPlan';
import type { AdamHyper } from '../../KernelProvider';
import { GRID_MAIN, gridFor, u } from './grid';

/**
 * torch.optim.Adam's update (L2 weight decay added to the gradient, amsgrad off). The hyper-
 * parameters travel in a uniform so one compiled pipeline serves every step and learning rate.
 * Inputs: param, grad, m, v. Outputs: param, m, v.
 */
export function adamPlan(n: number, h: AdamHyper, limits: PlanLimits): GpuPlan {
  const b = new PlanBuilder(`adam ${n}`, limits);
  const ins = [b.input(0, n), b.input(1, n), b.input(2, n), b.input(3, n)];
  const outs = [b.scratch(n), b.scratch(n), b.scratch(n)];
  const code = /* wgsl */ `
// 1 − β is computed in float64 on the host: float32(1 − 0.999) differs from 1 − float32(0.999) by 1e-5 relative.
struct Hyper { lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32, weightDecay: f32, oneMinusBeta1: f32, oneMinusBeta2: f32 }
@group(0) @binding(0) var<storage, read> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> paramOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> mOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(7) var<uniform> h: Hyper;
${GRID_MAIN}
  if (i >= ${u(n)}) { return; }
  let g = grad[i] + h.weightDecay * param[i];
  let m2 = h.beta1 * m[i] + h.oneMinusBeta1 * g;
  let v2 = h.beta2 * v[i] + h.oneMinusBeta2 * g * g;
  mOut[i] = m2;
  vOut[i] = v2;
  paramOut[i] = param[i] - (h.lr / h.bc1) * (m2 / (sqrt(v2) / sqrt(h.bc2) + h.eps));
}`;
  const bc1 = 1 - Math.pow(h.beta1, h.step);
  const bc2 = 1 - Math.pow(h.beta2, h.step);
  b.dispatch({ code, bindings: [...ins, ...outs], groups: gridFor(n, limits.maxComputeWorkgroupsPerDimension), uniform: [h.lr, h.beta1, h.beta2, h.eps, bc1, bc2, h.weightDecay, 1 - h.beta1, 1 - h.beta2] });
  return b.build(outs);
}
