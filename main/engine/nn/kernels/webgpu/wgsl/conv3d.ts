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
  // One shader for plain and fused convs: absent operands are 1-float dummies and flags in the
  // uniform switch them off, so a network compiles one forward pipeline per tile shape.
  const bias = fusion?.bias ? b.input(2, d.CO) : b.scratch(1);
  const residual = fusion?.residual ? b.input(fusion.bias ? 3 : 2, M * d.CO) : b.scratch(1);
  const k = gemm(
    {
      M,
      N: d.CO,
      K: d.KD * d.KH * d.KW * d.CI,
      params: [...params(d, g), ['HAS_BIAS', fusion?.bias ? 1 : 0], ['HAS_RESIDUAL', fusion?.residual ? 1 : 0], ['RELU', fusion?.relu ? 1 : 0]],
      uniformSlot: 5,
      decls: `${IM2COL}
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> residual: array<f32>;
fn epilogue(v: f32, m: u32, n: u32) -> f32 {
  var r = v;
  if (P.HAS_BIAS != 0u) { r += bias[n]; }
  if (P.HAS_RESIDUAL != 0u) { r += residual[m * P.N + n]; }
  if (P.RELU != 0u) { r = max(r, 0.0); }
  return r;
}`,
      loadA: '  return im2col(m, k);',
      loadB: '  return srcB[k * P.N + n];',
      aFast: 'k',
      bFast: 'n',
      epilogue: 'epilogue(v, m, n)',
    },
    limits.maxComputeWorkgroupsPerDimension,
  );
  const y = b.scratch(k.outElements);
  b.dispatch({ code: k.code, bindings: [x, w, y, bias, residual], groups: k.groups, uniform: k.uniform, uniformType: 'u32' });
  return { plan: b.build([y]), shape };
}

/**
 * One stride phase of one axis of the input gradient: the input positions r, r+s, r+2s, ...
 * all receive exactly the taps k ≡ k0 (mod step) — those with (r + pad − k·dil) divisible by
 * the stride — so each phase is a dense GEMM over its own taps. Without this split a stride-2
 * 3D input gradient (and every ConvTranspose3d upsampling) would multiply 7 zeros in 8.
 */
export interface AxisPhase {
  /** Residue r: first input position of the phase. */
  r: number;
  /** Number of input positions in the phase. */
  count: number;
  /** Valid taps: first, step, number. */
  t0: number;
  ts: number;
  tc: number;
}

export function axisPhases(size: number, k: number, s: number, p: number, d: number): AxisPhase[] {
  const out: AxisPhase[] = [];
  for (let r = 0; r < Math.min(s, size); r++) {
    const taps: number[] = [];
    for (let t = 0; t < k; t++) if ((((r + p - t * d) % s) + s) % s === 0) taps.push(t);
    if (taps.length === 0) continue; // these positions get no gradient: the buffer starts at zero
    out.push({ r, count: Math.ceil((size - r) / s), t0: taps[0], ts: taps.length > 1 ? taps[1] - taps[0] : 1, tc: taps.length });
  }
  return out;
}

const PHASE_DECODE = /* wgsl */ `
// (kd, kh, kw, co) of reduction index k within the phase's taps.
fn tapOf(k: u32) -> vec4u {
  let co = k % P.CO;
  var t = k / P.CO;
  let jw = t % P.TCW; t = t / P.TCW;
  let jh = t % P.TCH;
  let jd = t / P.TCH;
  return vec4u(P.T0D + jd * P.TSD, P.T0H + jh * P.TSH, P.T0W + jw * P.TSW, co);
}
// (n, id, ih, iw) of row m within the phase's input positions.
fn inPos(m: u32) -> vec4u {
  var p = m;
  let qw = p % P.CW; p = p / P.CW;
  let qh = p % P.CH; p = p / P.CH;
  let qd = p % P.CD;
  return vec4u(p / P.CD, P.RD + qd * P.SD, P.RH + qh * P.SH, P.RW + qw * P.SW);
}`;

export function conv3dBackpropInputPlan(dyShape: Shape5D, wShape: Shape5D, xShape: Shape5D, g: Conv3dGeometry, limits: PlanLimits): GpuPlan {
  const d = dims(xShape, wShape, g);
  const want = [d.N, d.OD, d.OH, d.OW, d.CO];
  if (dyShape.some((v, a) => v !== want[a])) throw new Error(`conv3dBackpropInput: dy has shape ${dyShape.join('x')} but the conv of ${xShape.join('x')} gives ${want.join('x')}`);
  const b = new PlanBuilder(`conv3dBackpropInput ${xShape.join('x')} * ${wShape.join('x')}`, limits);
  const dy = b.input(0, dyShape.reduce((a, c) => a * c, 1));
  const w = b.input(1, wShape.reduce((a, c) => a * c, 1));
  const dx = b.scratch(xShape.reduce((a, c) => a * c, 1));
  const loadA = /* wgsl */ `
  let t = tapOf(k);
  let q = inPos(m);
  let td = i32(q.y + P.PD) - i32(t.x * P.DD);
  let th = i32(q.z + P.PH) - i32(t.y * P.DH);
  let tw = i32(q.w + P.PW) - i32(t.z * P.DW);
  if (td < 0 || th < 0 || tw < 0) { return 0.0; }
  // Exact divisions: the phase only holds taps that hit the stride grid.
  let od = u32(td) / P.SD;
  let oh = u32(th) / P.SH;
  let ow = u32(tw) / P.SW;
  if (od >= P.OD || oh >= P.OH || ow >= P.OW) { return 0.0; }
  return srcA[(((q.x * P.OD + od) * P.OH + oh) * P.OW + ow) * P.CO + t.w];`;
  const phases = [0, 1, 2].map((a) => axisPhases(xShape[a + 1], wShape[a], g.strides[a], g.pads[a], g.dilations[a]));
  for (const pd of phases[0])
    for (const ph of phases[1])
      for (const pw of phases[2]) {
        const k = gemm(
          {
            M: d.N * pd.count * ph.count * pw.count,
            N: d.CI,
            K: pd.tc * ph.tc * pw.tc * d.CO,
            params: [
              ...params(d, g),
              ['RD', pd.r], ['RH', ph.r], ['RW', pw.r], ['CD', pd.count], ['CH', ph.count], ['CW', pw.count],
              ['T0D', pd.t0], ['T0H', ph.t0], ['T0W', pw.t0], ['TSD', pd.ts], ['TSH', ph.ts], ['TSW', pw.ts],
              ['TCD', pd.tc], ['TCH', ph.tc], ['TCW', pw.tc],
            ],
            uniformSlot: 3,
            decls: PHASE_DECODE,
            loadA,
            loadB: `
  let t = tapOf(k);
  return srcB[((((t.x * P.KH + t.y) * P.KW + t.z) * P.CI + n) * P.CO) + t.w];`,
            store: `
  let q = inPos(m);
  outC[(((q.x * P.D + q.y) * P.H + q.z) * P.W + q.w) * P.CI + n] = v;`,
            aFast: 'k',
            bFast: 'k',
          },
          limits.maxComputeWorkgroupsPerDimension,
        );
        b.dispatch({ code: k.code, bindings: [dy, w, dx], groups: k.groups, uniform: k.uniform, uniformType: 'u32' });
      }
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
