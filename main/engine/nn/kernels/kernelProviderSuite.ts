import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Conv3dGeometry, KernelProvider, Pool3dGeometry, Shape5D, Triple } from './KernelProvider';
import {
  adamRef,
  batchNormBackwardRef,
  batchNormInferenceRef,
  batchNormTrainRef,
  conv3dBackpropFilterRef,
  conv3dBackpropInputRef,
  conv3dRef,
  maxPool3dBackwardRef,
  maxPool3dRef,
} from './naiveReference';
import { seededRandom } from '../../../util/seededRandom';

/**
 * The conformance suite every KernelProvider runs (tfjs reference, oneDNN, tfjs-node, ...):
 * small random cases compared with float64 naive loops. Call it inside a test file:
 *
 *   runKernelProviderSuite(() => createTfjsKernels());
 *
 * Tolerance: |actual - expected| <= abs + rel * max|expected| per tensor (float32 accumulation).
 */
export interface KernelSuiteOptions {
  /** Label in the describe title (defaults to the provider's name). */
  label?: string;
  /** Absolute tolerance (default 1e-4). */
  abs?: number;
  /** Tolerance relative to the tensor's largest magnitude (default 2e-5). */
  rel?: number;
  /** Skip the whole suite (e.g. native addon not built), shown as skipped. */
  skip?: boolean;
}

/** Deterministic uniform(-1, 1) values (the one seeded generator, util/seededRandom). */
function rand(n: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Round to float32 so the reference sees exactly what the provider sees. */
function f32(a: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(a));
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function expectClose(actual: tf.Tensor, expected: Float64Array, shape: readonly number[], abs: number, rel: number, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual([...shape]);
  const a = actual.dataSync();
  let maxRef = 0;
  for (const v of expected) maxRef = Math.max(maxRef, Math.abs(v));
  const tol = abs + rel * maxRef;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(a[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: max |diff| ${worst} at ${at} (tol ${tol}, max|ref| ${maxRef})`).toBeLessThanOrEqual(tol);
}

interface ConvCase {
  title: string;
  x: Shape5D;
  k: Triple;
  co: number;
  g: Conv3dGeometry;
}

const t3 = (a: number, b = a, c = a): Triple => [a, b, c];

const CONV_CASES: ConvCase[] = [
  { title: '3³ s1 p1 (layer1)', x: [2, 6, 7, 5, 3], k: t3(3), co: 4, g: { strides: t3(1), pads: t3(1), dilations: t3(1) } },
  { title: '3³ s2 p1 (layer2 first block)', x: [1, 7, 8, 9, 3], k: t3(3), co: 5, g: { strides: t3(2), pads: t3(1), dilations: t3(1) } },
  { title: '7³ s2 p3 Cin=1 (conv1)', x: [2, 9, 10, 11, 1], k: t3(7), co: 3, g: { strides: t3(2), pads: t3(3), dilations: t3(1) } },
  { title: '3³ s1 p2 dilation 2 (layer3)', x: [2, 7, 6, 8, 3], k: t3(3), co: 4, g: { strides: t3(1), pads: t3(2), dilations: t3(2) } },
  { title: '3³ s1 p4 dilation 4 (layer4)', x: [1, 9, 8, 10, 2], k: t3(3), co: 3, g: { strides: t3(1), pads: t3(4), dilations: t3(4) } },
  { title: '1³ s2 p0 (shortcut B)', x: [2, 7, 6, 5, 3], k: t3(1), co: 4, g: { strides: t3(2), pads: t3(0), dilations: t3(1) } },
  { title: '3x2x1 s(2,1,3) p(1,0,0) anisotropic', x: [1, 8, 7, 9, 2], k: [3, 2, 1], co: 3, g: { strides: [2, 1, 3], pads: [1, 0, 0], dilations: t3(1) } },
  { title: '3³ s2 p2 dilation 2 (both > 1)', x: [1, 9, 8, 7, 2], k: t3(3), co: 3, g: { strides: t3(2), pads: t3(2), dilations: t3(2) } },
];

const POOL_CASES: { title: string; x: Shape5D; g: Pool3dGeometry }[] = [
  { title: '3³ s2 p1 (MedicalNet maxpool)', x: [2, 7, 8, 9, 3], g: { kernel: t3(3), strides: t3(2), pads: t3(1) } },
  { title: '2³ s2 p0', x: [1, 6, 5, 4, 2], g: { kernel: t3(2), strides: t3(2), pads: t3(0) } },
  { title: '3x1x3 s(1,2,2) p(1,0,1)', x: [1, 5, 6, 7, 2], g: { kernel: [3, 1, 3], strides: [1, 2, 2], pads: [1, 0, 1] } },
];

export function runKernelProviderSuite(make: () => KernelProvider, opts: KernelSuiteOptions = {}): void {
  const abs = opts.abs ?? 1e-4;
  const rel = opts.rel ?? 2e-5;
  describe.skipIf(opts.skip === true)(`KernelProvider conformance: ${opts.label ?? 'provider'}`, () => {
    let provider: KernelProvider | null = null;
    const p = (): KernelProvider => (provider ??= make());
    const tensors: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      tensors.push(t);
      return t;
    };
    afterAll(() => tensors.forEach((t) => t.dispose()));

    describe.each(CONV_CASES)('conv3d $title', ({ x: xs, k, co, g }) => {
      const ws: Shape5D = [k[0], k[1], k[2], xs[4], co];
      const x = f32(rand(prod(xs), 11));
      const w = f32(rand(prod(ws), 12));
      const ref = conv3dRef(x, xs, w, ws, g);
      const dy = f32(rand(ref.y.length, 13));
      it('forward', () => {
        const y = keep(p().conv3d(keep(tf.tensor5d(Float32Array.from(x), xs)), keep(tf.tensor5d(Float32Array.from(w), ws)), g));
        expectClose(y, ref.y, ref.shape, abs, rel, 'conv3d');
      });
      it('backprop input', () => {
        const dx = keep(p().conv3dBackpropInput(keep(tf.tensor5d(Float32Array.from(dy), ref.shape as Shape5D)), keep(tf.tensor5d(Float32Array.from(w), ws)), xs, g));
        expectClose(dx, conv3dBackpropInputRef(dy, w, ws, xs, g), xs, abs, rel, 'dx');
      });
      it('backprop filter', () => {
        const dw = keep(p().conv3dBackpropFilter(keep(tf.tensor5d(Float32Array.from(x), xs)), keep(tf.tensor5d(Float32Array.from(dy), ref.shape as Shape5D)), ws, g));
        expectClose(dw, conv3dBackpropFilterRef(x, xs, dy, ws, g), ws, abs, rel, 'dW');
      });
    });

    describe.each([
      { title: 'bias + residual + ReLU, 3³ s1 p1', g: CONV_CASES[0].g, k: CONV_CASES[0].k, xs: CONV_CASES[0].x, co: 4, bias: true, residual: true, relu: true },
      { title: 'bias only, 1³ s2 (shortcut B folded)', g: CONV_CASES[5].g, k: CONV_CASES[5].k, xs: CONV_CASES[5].x, co: 4, bias: true, residual: false, relu: false },
      { title: 'no bias + ReLU, dilation 4', g: CONV_CASES[4].g, k: CONV_CASES[4].k, xs: CONV_CASES[4].x, co: 3, bias: false, residual: false, relu: true },
    ])('fused conv3dBiasAct ($title)', ({ g, k, xs, co, bias, residual, relu }) => {
      it('matches conv + bias + residual + ReLU (skipped when the provider has no fusion)', (ctx) => {
        const fused = p().conv3dBiasAct;
        if (!fused) return ctx.skip();
        const ws: Shape5D = [k[0], k[1], k[2], xs[4], co];
        const x = f32(rand(prod(xs), 51));
        const w = f32(rand(prod(ws), 52));
        const ref = conv3dRef(x, xs, w, ws, g);
        const b = f32(rand(co, 53));
        const r = f32(rand(ref.y.length, 54));
        const want = ref.y.map((v, i) => {
          const z = v + (bias ? b[i % co] : 0) + (residual ? r[i] : 0);
          return relu ? Math.max(0, z) : z;
        });
        const y = keep(
          fused.call(
            p(),
            keep(tf.tensor5d(Float32Array.from(x), xs)),
            keep(tf.tensor5d(Float32Array.from(w), ws)),
            bias ? keep(tf.tensor1d(Float32Array.from(b))) : null,
            g,
            residual ? keep(tf.tensor5d(Float32Array.from(r), ref.shape as Shape5D)) : null,
            relu,
          ),
        );
        expectClose(y, want, ref.shape, abs, rel, 'conv3dBiasAct');
      });
    });

    describe.each([
      { relu: false, title: 'plain' },
      { relu: true, title: 'fused ReLU' },
    ])('batch norm ($title)', ({ relu }) => {
      const xs: Shape5D = [2, 3, 4, 5, 4];
      const C = xs[4];
      // Offset and scale so the statistics are not trivially 0 / 1.
      const x = f32(rand(prod(xs), 21).map((v, i) => 3 * v + (i % C) - 1));
      const gamma = f32(rand(C, 22).map((v) => v + 1.2));
      const beta = f32(rand(C, 23));
      const eps = 1e-5;
      it('train forward (batch statistics, biased variance)', () => {
        const r = p().batchNormTrain(keep(tf.tensor5d(Float32Array.from(x), xs)), keep(tf.tensor1d(Float32Array.from(gamma))), keep(tf.tensor1d(Float32Array.from(beta))), eps, relu);
        [r.y, r.mean, r.variance].forEach(keep);
        const ref = batchNormTrainRef(x, C, gamma, beta, eps, relu);
        expectClose(r.y, ref.y, xs, abs, rel, 'y');
        expectClose(r.mean, ref.mean, [C], abs, rel, 'mean');
        expectClose(r.variance, ref.variance, [C], abs, rel, 'variance');
      });
      it('inference (running statistics)', () => {
        const mean = f32(rand(C, 24));
        const variance = f32(rand(C, 25).map((v) => v + 1.5));
        const y = keep(
          p().batchNormInference(
            keep(tf.tensor5d(Float32Array.from(x), xs)),
            keep(tf.tensor1d(Float32Array.from(gamma))),
            keep(tf.tensor1d(Float32Array.from(beta))),
            keep(tf.tensor1d(Float32Array.from(mean))),
            keep(tf.tensor1d(Float32Array.from(variance))),
            eps,
            relu,
          ),
        );
        expectClose(y, batchNormInferenceRef(x, C, gamma, beta, mean, variance, eps, relu), xs, abs, rel, 'y');
      });
      it('backward', () => {
        const dy = f32(rand(prod(xs), 26));
        const xt = keep(tf.tensor5d(Float32Array.from(x), xs));
        const gt = keep(tf.tensor1d(Float32Array.from(gamma)));
        const fwd = p().batchNormTrain(xt, gt, keep(tf.tensor1d(Float32Array.from(beta))), eps, relu);
        [fwd.y, fwd.mean, fwd.variance].forEach(keep);
        const r = p().batchNormBackward(keep(tf.tensor5d(Float32Array.from(dy), xs)), xt, gt, fwd.mean, fwd.variance, eps, relu ? fwd.y : null);
        [r.dx, r.dgamma, r.dbeta].forEach(keep);
        const ref = batchNormBackwardRef(dy, x, C, gamma, beta, eps, relu);
        expectClose(r.dx, ref.dx, xs, abs, rel, 'dx');
        expectClose(r.dgamma, ref.dgamma, [C], abs, rel, 'dgamma');
        expectClose(r.dbeta, ref.dbeta, [C], abs, rel, 'dbeta');
      });
    });

    describe.each(POOL_CASES)('max pool $title', ({ x: xs, g }) => {
      const x = f32(rand(prod(xs), 31));
      const ref = maxPool3dRef(x, xs, g);
      it('forward', () => {
        const y = keep(p().maxPool3d(keep(tf.tensor5d(Float32Array.from(x), xs)), g));
        expectClose(y, ref.y, ref.shape, abs, rel, 'maxpool');
      });
      it('backward', () => {
        const dy = f32(rand(ref.y.length, 32));
        const xt = keep(tf.tensor5d(Float32Array.from(x), xs));
        const y = keep(p().maxPool3d(xt, g));
        const dx = keep(p().maxPool3dBackward(keep(tf.tensor5d(Float32Array.from(dy), ref.shape as Shape5D)), xt, y, g));
        expectClose(dx, maxPool3dBackwardRef(dy, ref.argmax, x.length), xs, abs, rel, 'dx');
      });
    });

    it.each([
      { weightDecay: 0, step: 1 },
      { weightDecay: 0.01, step: 7 },
    ])('adam update (weight decay $weightDecay, step $step)', ({ weightDecay, step }) => {
      const n = 37;
      const param = f32(rand(n, 41));
      const grad = f32(rand(n, 42));
      const m = f32(rand(n, 43).map((v) => v * 0.1));
      const v = f32(rand(n, 44).map((q) => q * q * 0.01));
      const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, weightDecay };
      const r = p().adamUpdate(keep(tf.tensor1d(Float32Array.from(param))), keep(tf.tensor1d(Float32Array.from(grad))), keep(tf.tensor1d(Float32Array.from(m))), keep(tf.tensor1d(Float32Array.from(v))), h);
      [r.param, r.m, r.v].forEach(keep);
      const ref = adamRef(param, grad, m, v, h);
      expectClose(r.param, ref.param, [n], 1e-6, 1e-6, 'param');
      expectClose(r.m, ref.m, [n], 1e-7, 1e-6, 'm');
      expectClose(r.v, ref.v, [n], 1e-9, 1e-6, 'v');
      // The step must actually move the parameter (guards against a no-op provider).
      expect(Math.abs(r.param.dataSync()[0] - param[0])).toBeGreaterThan(1e-5);
    });
  });
}
