/**
 * One measurement run of OUR engine, in its own process (so first-step time and peak RSS are
 * honest): MedicalNet ResNet-<depth> + conv_seg head at width 64 on a 1x1xDxHxW volume.
 * Prints one JSON line. Driven by bench/engine.bench.ts (interleaved with PyTorch runs).
 *
 *   node bin/run-ts.mjs bench/engineRun.ts --depth 10 --size 56,112,112 --steps 3 --infer 3 [--device auto|cpu|gpu|webgpu|native|tfjs] [--breakdown]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseDevice } from '../main/engine/backend/device';
import { initEngineBackend } from '../main/engine/backend/selectBackend';
import { buildModel } from '../main/engine/models/buildModel';
import type { ModelSpec, ResNetDepth } from '../main/engine/models/ModelSpec';
import { backward, withGrad } from '../main/engine/nn/autograd/Var';
import type { KernelProvider } from '../main/engine/nn/kernels/KernelProvider';
import { getKernels, setKernels } from '../main/engine/nn/kernels/registry';
import { createHeadRegistry } from '../main/engine/models/heads/headRegistry';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const depth = Number(arg('depth', '10')) as ResNetDepth;
const size = arg('size', '56,112,112').split(',').map(Number) as [number, number, number];
const steps = Number(arg('steps', '3'));
const inferRuns = Number(arg('infer', '3'));
const width = Number(arg('width', '64'));
const threads = Number(arg('threads', '0')) || undefined;
const breakdown = process.argv.includes('--breakdown');
const device = parseDevice(arg('device', 'auto'));

/** Wraps a provider so every kernel call adds its wall time to `times[name]`. */
function timed(p: KernelProvider, times: Map<string, number>): KernelProvider {
  const wrap = <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    (...a: A): R => {
      const t0 = performance.now();
      const r = f(...a);
      times.set(name, (times.get(name) ?? 0) + performance.now() - t0);
      return r;
    };
  const out: KernelProvider = {
    name: p.name,
    conv3d: wrap('conv3d fwd', p.conv3d.bind(p)),
    conv3dBackpropInput: wrap('conv3d bwd-data', p.conv3dBackpropInput.bind(p)),
    conv3dBackpropFilter: wrap('conv3d bwd-filter', p.conv3dBackpropFilter.bind(p)),
    batchNormTrain: wrap('batchnorm fwd', p.batchNormTrain.bind(p)),
    batchNormInference: wrap('batchnorm infer', p.batchNormInference.bind(p)),
    batchNormBackward: wrap('batchnorm bwd', p.batchNormBackward.bind(p)),
    maxPool3d: wrap('maxpool fwd', p.maxPool3d.bind(p)),
    maxPool3dBackward: wrap('maxpool bwd', p.maxPool3dBackward.bind(p)),
    adamUpdate: wrap('adam', p.adamUpdate.bind(p)),
  };
  if (p.conv3dBiasAct) out.conv3dBiasAct = wrap('conv3d+bias+act', p.conv3dBiasAct.bind(p));
  return out;
}

async function main(): Promise<void> {
  const report = await initEngineBackend({ device, threads });
  const spec: ModelSpec = {
    backbone: { depth, shortcut: depth === 18 || depth === 34 ? 'A' : 'B', baseWidth: width, preActivation: false, inChannels: 1 },
    head: { kind: 'medicalnet-seg', classes: 2, hidden: 32 },
  };
  const model = buildModel(createHeadRegistry(), spec, { seed: 1 });
  const params = model.parameters().filter(([, p]) => !p.frozen);
  const moments = new Map(params.map(([n, p]) => [n, { m: tf.zerosLike(p.value), v: tf.zerosLike(p.value) }]));
  const x = tf.randomNormal([1, ...size, 1], 0, 1, 'float32', 7) as tf.Tensor5D;
  let labels: tf.Tensor | null = null;
  let stepNo = 0;

  const trainStep = (): number => {
    stepNo++;
    let loss = 0;
    tf.tidy(() => {
      withGrad(true, () => {
        const out = model.forward(x, { training: true });
        const logits = out.logits!.value as tf.Tensor5D;
        if (!labels) labels = tf.keep(tf.cast(tf.greater(tf.randomUniform(logits.shape.slice(0, 4), 0, 1, 'float32', 3), 0.5), 'int32'));
        const classes = logits.shape[4];
        const count = logits.size / classes;
        const onehot = tf.reshape(tf.oneHot(tf.reshape(labels!, [-1]) as tf.Tensor1D, classes), logits.shape);
        const logp = tf.logSoftmax(logits, -1);
        loss = -tf.sum(tf.mul(onehot, logp)).dataSync()[0] / count;
        const seed = tf.div(tf.sub(tf.exp(logp), onehot), count);
        const grads = backward(out.logits!, seed);
        const K = getKernels();
        for (const [n, p] of params) {
          const g = grads.get(p.var);
          if (!g) continue;
          const st = moments.get(n)!;
          const r = K.adamUpdate(p.value, g, st.m, st.v, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: stepNo, weightDecay: 0 });
          p.assign(r.param);
          st.m.dispose();
          st.v.dispose();
          st.m = tf.keep(r.m);
          st.v = tf.keep(r.v);
        }
      });
    });
    return loss;
  };

  const now = (): number => performance.now();
  let t = now();
  const firstLoss = trainStep();
  const firstStepMs = now() - t;
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    t = now();
    trainStep();
    stepMs.push(now() - t);
  }
  let ops: Record<string, number> | undefined;
  if (breakdown) {
    const times = new Map<string, number>();
    const plain = getKernels();
    setKernels(timed(plain, times));
    t = now();
    trainStep();
    const total = now() - t;
    setKernels(plain);
    const kernelSum = [...times.values()].reduce((a, b) => a + b, 0);
    ops = Object.fromEntries([...[...times].sort((a, b) => b[1] - a[1]), ['other (tfjs JS ops, autograd, loss)', total - kernelSum], ['total', total]]);
  }
  const inferMs: number[] = [];
  for (let i = 0; i < inferRuns; i++) {
    t = now();
    const out = model.predict(x);
    out.logits?.dataSync();
    inferMs.push(now() - t);
    out.features.dispose();
    out.logits?.dispose();
  }
  const res = process.resourceUsage();
  process.stdout.write(
    `${JSON.stringify({
      engine: 'ours',
      backend: report.backend,
      kernels: report.kernels,
      threads: report.threads,
      depth,
      size,
      firstStepMs,
      stepMs,
      inferMs,
      peakRssMiB: res.maxRSS / 1024,
      firstLoss,
      ops,
    })}\n`,
  );
}

await main();
