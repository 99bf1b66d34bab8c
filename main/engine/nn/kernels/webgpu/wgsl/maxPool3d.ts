import type { Pool3dGeometry, Shape5D } from '../../KernelProvider';
import { convOutSize } from '../../tfjs/geometry';
import { PlanBuilder, type GpuPlan, type PlanLimits } from '../GpuPlan';
import { GRID_MAIN, gridFor, i, u } from './grid';

/**
 * Max pool 3D (NDHWC, padding never wins) and its gradient. The gradient goes to the first
 * maximum of each window in (kd, kh, kw) order, as PyTorch and the reference do. Backward is
 * two gathers (no atomics): one thread per output finds its argmax, then one thread per input
 * sums dy over the outputs whose window holds it and chose it.
 */
function poolDims(xShape: Shape5D, g: Pool3dGeometry): { ys: Shape5D; consts: string } {
  const [N, D, H, W, C] = xShape;
  const o = [0, 1, 2].map((a) => convOutSize(xShape[a + 1], g.kernel[a], g.strides[a], g.pads[a], 1));
  if (o.some((v) => v < 1)) throw new Error(`maxPool3d: input ${xShape.join('x')} is too small for window ${g.kernel.join('x')}`);
  const ys: Shape5D = [N, o[0], o[1], o[2], C];
  const consts = [
    ['D', i(D)], ['H', i(H)], ['W', i(W)], ['C', u(C)], ['OD', i(o[0])], ['OH', i(o[1])], ['OW', i(o[2])],
    ['KD', i(g.kernel[0])], ['KH', i(g.kernel[1])], ['KW', i(g.kernel[2])],
    ['SD', i(g.strides[0])], ['SH', i(g.strides[1])], ['SW', i(g.strides[2])],
    ['PD', i(g.pads[0])], ['PH', i(g.pads[1])], ['PW', i(g.pads[2])],
  ]
    .map(([n, v]) => `const ${n} = ${v};`)
    .join('\n');
  return { ys, consts };
}

/** Scan of output `o`'s window: sets `best` and `at` (flat x index). */
const WINDOW_SCAN = /* wgsl */ `
fn argmaxOf(o: u32) -> u32 {
  let c = o % C;
  var p = o / C;
  let ow = i32(p % u32(OW)); p = p / u32(OW);
  let oh = i32(p % u32(OH)); p = p / u32(OH);
  let od = i32(p % u32(OD));
  let nb = p / u32(OD);
  var best = 0.0;
  var at = 0xffffffffu;
  for (var kd = 0i; kd < KD; kd++) {
    let id = od * SD - PD + kd;
    if (id < 0 || id >= D) { continue; }
    for (var kh = 0i; kh < KH; kh++) {
      let ih = oh * SH - PH + kh;
      if (ih < 0 || ih >= H) { continue; }
      for (var kw = 0i; kw < KW; kw++) {
        let iw = ow * SW - PW + kw;
        if (iw < 0 || iw >= W) { continue; }
        let xi = (((nb * u32(D) + u32(id)) * u32(H) + u32(ih)) * u32(W) + u32(iw)) * C + c;
        let v = x[xi];
        if (at == 0xffffffffu || v > best) { best = v; at = xi; }
      }
    }
  }
  return at;
}`;

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Inputs: x. Output: y. */
export function maxPool3dPlan(xShape: Shape5D, g: Pool3dGeometry, limits: PlanLimits): { plan: GpuPlan; shape: Shape5D } {
  const { ys, consts } = poolDims(xShape, g);
  const b = new PlanBuilder(`maxPool3d ${xShape.join('x')}`, limits);
  const x = b.input(0, size(xShape));
  const n = size(ys);
  const y = b.scratch(n);
  const code = /* wgsl */ `
${consts}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
${WINDOW_SCAN}
${GRID_MAIN}
  if (i >= ${u(n)}) { return; }
  y[i] = x[argmaxOf(i)];
}`;
  b.dispatch({ code, bindings: [x, y], groups: gridFor(n, limits.maxComputeWorkgroupsPerDimension) });
  return { plan: b.build([y]), shape: ys };
}

/** Inputs: dy, x. Output: dx. */
export function maxPool3dBackwardPlan(dyShape: Shape5D, xShape: Shape5D, g: Pool3dGeometry, limits: PlanLimits): GpuPlan {
  const { ys, consts } = poolDims(xShape, g);
  if (dyShape.some((v, a) => v !== ys[a])) throw new Error(`maxPool3dBackward: dy has shape ${dyShape.join('x')} but pooling ${xShape.join('x')} gives ${ys.join('x')}`);
  const b = new PlanBuilder(`maxPool3dBackward ${xShape.join('x')}`, limits);
  const dy = b.input(0, size(ys));
  const x = b.input(1, size(xShape));
  const nOut = size(ys);
  const nIn = size(xShape);
  const argmax = b.scratch(nOut);
  const dx = b.scratch(nIn);
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  b.dispatch({
    code: /* wgsl */ `
${consts}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> argmax: array<u32>;
${WINDOW_SCAN}
${GRID_MAIN}
  if (i >= ${u(nOut)}) { return; }
  argmax[i] = argmaxOf(i);
}`,
    bindings: [x, argmax],
    groups: gridFor(nOut, maxDim),
  });
  b.dispatch({
    code: /* wgsl */ `
${consts}
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<u32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
${GRID_MAIN}
  if (i >= ${u(nIn)}) { return; }
  let c = i % C;
  var p = i / C;
  let iw = i32(p % u32(W)); p = p / u32(W);
  let ih = i32(p % u32(H)); p = p / u32(H);
  let id = i32(p % u32(D));
  let nb = p / u32(D);
  var s = 0.0;
  for (var kd = 0i; kd < KD; kd++) {
    let td = id + PD - kd;
    if (td < 0 || td % SD != 0 || td / SD >= OD) { continue; }
    for (var kh = 0i; kh < KH; kh++) {
      let th = ih + PH - kh;
      if (th < 0 || th % SH != 0 || th / SH >= OH) { continue; }
      for (var kw = 0i; kw < KW; kw++) {
        let tw = iw + PW - kw;
        if (tw < 0 || tw % SW != 0 || tw / SW >= OW) { continue; }
        let o = (((nb * u32(OD) + u32(td / SD)) * u32(OH) + u32(th / SH)) * u32(OW) + u32(tw / SW)) * C + c;
        if (argmax[o] == i) { s += dy[o]; }
      }
    }
  }
  dx[i] = s;
}`,
    bindings: [dy, argmax, dx],
    groups: gridFor(nIn, maxDim),
  });
  return b.build([dx]);
}
