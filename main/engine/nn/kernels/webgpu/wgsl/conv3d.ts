import type { Conv3dGeometry, Shape5D } from '../../KernelProvider';
import { convOutShape } from '../../tfjs/geometry';
import { PlanBuilder, type GpuPlan, type PlanLimits } from '../GpuPlan';
import { gemm } from './gemm';
import { GRID_MAIN, gridFor } from './grid';

/**
 * Conv3d forward and both gradients as implicit GEMMs (layouts NDHWC / DHWIO, PyTorch-style
 * symmetric zero padding, any stride and dilation):
 *   forward        Y[pos, co]   = Σ_(kd,kh,kw,ci) X[im2col(pos, kd,kh,kw), ci] · W[kd,kh,kw,ci, co]
 *   backward-data  dX[ipos, ci] = Σ_(kd,kh,kw,co) dY[opos(ipos, kd,kh,kw), co] · W[kd,kh,kw,ci, co]
 *                  (opos exists only where ipos + pad − k·dil is a non-negative multiple of the stride)
 *   backward-filt  dW[(kd,kh,kw,ci), co] = Σ_pos X[im2col(pos, kd,kh,kw), ci] · dY[pos, co]  (split-K)
 * Plan inputs: forward (x, w[, bias][, residual]); backward-data (dy, w); backward-filter (x, dy).
 */

interface Dims {
  N: number;
  D: number;
  H: number;
  W: number;
  CI: number;
  KD: number;
  KH: number;
  KW: number;
  CO: number;
  OD: number;
  OH: number;
  OW: number;
}

function dims(xShape: Shape5D, wShape: Shape5D, g: Conv3dGeometry): Dims {
  const [N, D, H, W, CI] = xShape;
  const [KD, KH, KW, wci, CO] = wShape;
  if (wci !== CI) throw new Error(`conv3d: input has ${CI} channels but the filter ${wShape.join('x')} expects ${wci}`);
  const [, OD, OH, OW] = convOutShape(xShape, wShape, g);
  return { N, D, H, W, CI, KD, KH, KW, CO, OD, OH, OW };
}

/** Geometry fields of the uniform shared by the three kernels (read as P.D, P.SD, ...). */
function params(d: Dims, g: Conv3dGeometry): [string, number][] {
  return [
    ['D', d.D], ['H', d.H], ['W', d.W], ['CI', d.CI], ['CO', d.CO],
    ['KD', d.KD], ['KH', d.KH], ['KW', d.KW], ['OD', d.OD], ['OH', d.OH], ['OW', d.OW],
    ['SD', g.strides[0]], ['SH', g.strides[1]], ['SW', g.strides[2]],
    ['PD', g.pads[0]], ['PH', g.pads[1]], ['PW', g.pads[2]],
    ['DD', g.dilations[0]], ['DH', g.dilations[1]], ['DW', g.dilations[2]],
  ];
}

/** X at output position `pos` (n, od, oh, ow flattened) and filter row `kf` (kd, kh, kw, ci flattened); 0 in the padding. */
const IM2COL = /* wgsl */ `
fn im2col(pos: u32, kf: u32) -> f32 {
  let ci = kf % P.CI;
  var t = kf / P.CI;
  let kw = i32(t % P.KW); t = t / P.KW;
  let kh = i32(t % P.KH);
  let kd = i32(t / P.KH);
  var p = pos;
  let ow = i32(p % P.OW); p = p / P.OW;
  let oh = i32(p % P.OH); p = p / P.OH;
  let od = i32(p % P.OD);
  let nb = p / P.OD;
  let id = od * i32(P.SD) - i32(P.PD) + kd * i32(P.DD);
  let ih = oh * i32(P.SH) - i32(P.PH) + kh * i32(P.DH);
  let iw = ow * i32(P.SW) - i32(P.PW) + kw * i32(P.DW);
  if (id < 0 || id >= i32(P.D) || ih < 0 || ih >= i32(P.H) || iw < 0 || iw >= i32(P.W)) { return 0.0; }
  return srcA[(((nb * P.D + u32(id)) * P.H + u32(ih)) * P.W + u32(iw)) * P.CI + ci];
}`;

export interface ConvFusion {
  bias: boolean;
  residual: boolean;
  relu: boolean;
}

export function conv3dPlan(xShape: Shape5D, wShape: Shape5D, g: Conv3dGeometry, limits: PlanLimits, fusion?: ConvFusion): { plan: GpuPlan; shape: Shape5D } {
  const d = dims(xShape, wShape, g);
  const shape: Shape5D = [d.N, d.OD, d.OH, d.OW, d.CO];
  const b = new PlanBuilder(`conv3d ${xShape.join('x')} * ${wShape.join('x')}`, limits);
  const x = b.input(0, xShape.reduce((a, c) => a * c, 1));
  const w = b.input(1, wShape.reduce((a, c) => a * c, 1));
  const M = d.N * d.OD * d.OH * d.OW;
  const extra: number[] = [];
  let decls = IM2COL;
  let epilogue = 'v';
  let next = 2;
  if (fusion?.bias) {
    extra.push(b.input(next++, d.CO));
    decls += `\n@group(0) @binding(${2 + extra.length}) var<storage, read> bias: array<f32>;`;
    epilogue = `(${epilogue} + bias[n])`;
  }
  if (fusion?.residual) {
    extra.push(b.input(next++, M * d.CO));
    decls += `\n@group(0) @binding(${2 + extra.length}) var<storage, read> residual: array<f32>;`;
    epilogue = `(${epilogue} + residual[m * N + n])`;
  }
  if (fusion?.relu) epilogue = `max(${epilogue}, 0.0)`;
  const k = gemm(
    {
      M,
      N: d.CO,
      K: d.KD * d.KH * d.KW * d.CI,
      params: params(d, g),
      uniformSlot: 3 + extra.length,
      decls,
      loadA: '  return im2col(m, k);',
      loadB: '  return srcB[k * P.N + n];',
      aFast: 'k',
      bFast: 'n',
      epilogue,
    },
    limits.maxComputeWorkgroupsPerDimension,
  );
  const y = b.scratch(k.outElements);
  b.dispatch({ code: k.code, bindings: [x, w, y, ...extra], groups: k.groups, uniform: k.uniform, uniformType: 'u32' });
  return { plan: b.build([y]), shape };
}

export function conv3dBackpropInputPlan(dyShape: Shape5D, wShape: Shape5D, xShape: Shape5D, g: Conv3dGeometry, limits: PlanLimits): GpuPlan {
  const d = dims(xShape, wShape, g);
  const want = [d.N, d.OD, d.OH, d.OW, d.CO];
  if (dyShape.some((v, a) => v !== want[a])) throw new Error(`conv3dBackpropInput: dy has shape ${dyShape.join('x')} but the conv of ${xShape.join('x')} gives ${want.join('x')}`);
  const b = new PlanBuilder(`conv3dBackpropInput ${xShape.join('x')} * ${wShape.join('x')}`, limits);
  const dy = b.input(0, dyShape.reduce((a, c) => a * c, 1));
  const w = b.input(1, wShape.reduce((a, c) => a * c, 1));
  const loadA = /* wgsl */ `
  let co = k % P.CO;
  var t = k / P.CO;
  let kw = t % P.KW; t = t / P.KW;
  let kh = t % P.KH;
  let kd = t / P.KH;
  var p = m;
  let iw = p % P.W; p = p / P.W;
  let ih = p % P.H; p = p / P.H;
  let id = p % P.D;
  let nb = p / P.D;
  let td = i32(id + P.PD) - i32(kd * P.DD);
  let th = i32(ih + P.PH) - i32(kh * P.DH);
  let tw = i32(iw + P.PW) - i32(kw * P.DW);
  if (td < 0 || th < 0 || tw < 0) { return 0.0; }
  if (u32(td) % P.SD != 0u || u32(th) % P.SH != 0u || u32(tw) % P.SW != 0u) { return 0.0; }
  let od = u32(td) / P.SD;
  let oh = u32(th) / P.SH;
  let ow = u32(tw) / P.SW;
  if (od >= P.OD || oh >= P.OH || ow >= P.OW) { return 0.0; }
  return srcA[(((nb * P.OD + od) * P.OH + oh) * P.OW + ow) * P.CO + co];`;
  const k = gemm(
    {
      M: d.N * d.D * d.H * d.W,
      N: d.CI,
      K: d.KD * d.KH * d.KW * d.CO,
      params: params(d, g),
      uniformSlot: 3,
      decls: '',
      loadA,
      // W[kpos, ci, co] with k = kpos·CO + co.
      loadB: '  return srcB[((k / P.CO) * P.CI + n) * P.CO + k % P.CO];',
      aFast: 'k',
      bFast: 'k',
    },
    limits.maxComputeWorkgroupsPerDimension,
  );
  const dx = b.scratch(k.outElements);
  b.dispatch({ code: k.code, bindings: [dy, w, dx], groups: k.groups, uniform: k.uniform, uniformType: 'u32' });
  return b.build([dx]);
}

/** Reduction length per split of the filter gradient: long enough to amortise, short enough to parallelise. */
const SPLIT_K_CHUNK = 2048;
const MAX_SPLITS = 256;

export function conv3dBackpropFilterPlan(xShape: Shape5D, dyShape: Shape5D, wShape: Shape5D, g: Conv3dGeometry, limits: PlanLimits): GpuPlan {
  const d = dims(xShape, wShape, g);
  const want = [d.N, d.OD, d.OH, d.OW, d.CO];
  if (dyShape.some((v, a) => v !== want[a])) throw new Error(`conv3dBackpropFilter: dy has shape ${dyShape.join('x')} but the conv of ${xShape.join('x')} gives ${want.join('x')}`);
  const b = new PlanBuilder(`conv3dBackpropFilter ${xShape.join('x')} -> ${wShape.join('x')}`, limits);
  const x = b.input(0, xShape.reduce((a, c) => a * c, 1));
  const dy = b.input(1, dyShape.reduce((a, c) => a * c, 1));
  const M = d.KD * d.KH * d.KW * d.CI;
  const K = d.N * d.OD * d.OH * d.OW;
  const splits = Math.max(1, Math.min(MAX_SPLITS, Math.ceil(K / SPLIT_K_CHUNK)));
  const k = gemm(
    {
      M,
      N: d.CO,
      K,
      params: params(d, g),
      uniformSlot: 3,
      decls: IM2COL,
      loadA: '  return im2col(k, m);',
      loadB: '  return srcB[k * P.N + n];',
      aFast: 'm',
      bFast: 'n',
      splits,
    },
    limits.maxComputeWorkgroupsPerDimension,
  );
  const partial = b.scratch(k.outElements);
  b.dispatch({ code: k.code, bindings: [x, dy, partial], groups: k.groups, uniform: k.uniform, uniformType: 'u32' });
  if (splits === 1) return b.build([partial]);
  const n = M * d.CO;
  const dw = b.scratch(n);
  b.dispatch({ code: SPLIT_K_REDUCE, bindings: [partial, dw], groups: gridFor(n, limits.maxComputeWorkgroupsPerDimension), uniform: [n, splits], uniformType: 'u32' });
  return b.build([dw]);
}

/** out[i] = Σ_s partial[s·n + i]. */
const SPLIT_K_REDUCE = /* wgsl */ `
struct Params { n: u32, splits: u32 }
@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> outC: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;
${GRID_MAIN}
  if (i >= P.n) { return; }
  var s = 0.0;
  for (var k = 0u; k < P.splits; k++) { s += partial[k * P.n + i]; }
  outC[i] = s;
}`;
