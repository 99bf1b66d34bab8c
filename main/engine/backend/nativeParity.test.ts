import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import { buildModel } from '../models/buildModel';
import type { Med3dModel } from '../models/Med3dModel';
import { readF32, readI32, readManifest, worstExcess, type FixtureCase } from '../models/testing/fixtures';
import { backward, withGrad } from '../nn/autograd/Var';
import type { KernelProvider } from '../nn/kernels/KernelProvider';
import { createOnednnKernels } from '../nn/kernels/onednnKernels';
import { getKernels, setKernels } from '../nn/kernels/registry';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import { ncdhwToNdhwc, toChannelsFirst } from '../nn/layout';
import { tfjsToTorch } from '../nn/layers/Param';
import { inferArchitecture } from '../weights/inferArchitecture';
import { readPth } from '../weights/readPth';
import { loadNativeAddon } from './nativeAddon';
import { installNativeTfjsKernels, uninstallNativeTfjsKernels } from './nativeTfjsKernels';
import { createHeadRegistry } from '../models/heads/headRegistry';

/**
 * Fixture parity of both engine paths: the MedicalNet fixtures (eval forward, and one training
 * step's loss, logits and weight gradients) through buildModel with the native oneDNN kernels
 * and with the plain tfjs fallback, each against PyTorch's expected values at the manifest
 * tolerances, and the two paths against each other.
 */
const has = sharedAvailable('MedicalNet fixtures (native/fallback parity)');
const native = loadNativeAddon();
if (!native.loaded) console.warn(`[skip] native parity: ${native.error} — ${native.howToEnable}`);
const manifest = has ? readManifest(FIXTURES_DIR) : { cases: [] as FixtureCase[] };
const forwardCases = manifest.cases.filter((c) => c.kind === 'forward' || c.kind === 'encoder');
const trainCases = manifest.cases.filter((c) => c.kind === 'train');

const previous = getKernels();
afterAll(() => {
  setKernels(previous);
  uninstallNativeTfjsKernels();
});

async function loadModel(c: FixtureCase): Promise<Med3dModel> {
  const { stateDict } = await readPth(`${FIXTURES_DIR}/${c.checkpoints[0].file}`);
  const model = buildModel(createHeadRegistry(), inferArchitecture(createHeadRegistry(), stateDict).spec);
  model.loadStateDict(stateDict);
  return model;
}

const providers = (): { name: string; make: () => KernelProvider }[] => [
  // The native path as the ladder installs it: oneDNN provider + native tfjs elementwise kernels.
  ...(native.loaded
    ? [
        {
          name: 'native',
          make: () => {
            installNativeTfjsKernels(native.addon!);
            return createOnednnKernels(native.addon!);
          },
        },
      ]
    : []),
  {
    name: 'fallback',
    make: () => {
      uninstallNativeTfjsKernels();
      return createTfjsKernels();
    },
  },
];

interface Outputs {
  [what: string]: Float32Array;
}

function expectWithin(got: Float32Array, want: Float32Array, tol: { max_abs_diff: number; max_rel_diff: number }, what: string): void {
  const r = worstExcess(got, want, tol);
  expect(r.excess, `${what}: max |diff| ${r.maxAbs} at ${r.at}`).toBeLessThanOrEqual(0);
}

describe.skipIf(!has)('engine paths agree with PyTorch and each other: eval forward', () => {
  it.each(forwardCases.map((c) => ({ c, title: `${c.name} (${c.checkpoints[0].file})` })))('$title', async ({ c }) => {
    const model = await loadModel(c);
    const x = ncdhwToNdhwc(readF32(FIXTURES_DIR, c.input.file), c.input.shape);
    const results: Record<string, Outputs> = {};
    for (const p of providers()) {
      setKernels(p.make());
      const out = model.predict(x);
      results[p.name] = { features: toChannelsFirst(out.features).data, ...(out.logits ? { logits: toChannelsFirst(out.logits).data } : {}) };
      out.features.dispose();
      out.logits?.dispose();
      for (const what of ['features', 'logits']) {
        const exp = c.expected[what];
        if (!exp) continue;
        expect(results[p.name][what], `${p.name} ${what}`).toBeDefined();
        expectWithin(results[p.name][what], readF32(FIXTURES_DIR, exp.file), c.tolerance[what], `${c.name} ${p.name} ${what}`);
      }
    }
    if (results.native) {
      for (const what of Object.keys(results.fallback)) {
        expectWithin(results.native[what], results.fallback[what], c.tolerance[what], `${c.name} native vs fallback ${what}`);
      }
    }
    x.dispose();
    model.dispose();
  }, 120_000);
});

/** Cross-entropy over classes, mean over all N·D·H·W voxels: loss and d(loss)/d(logits) (NDHWC). */
function crossEntropy(logits: tf.Tensor5D, labels: Int32Array): { loss: number; grad: tf.Tensor5D } {
  return tf.tidy(() => {
    const classes = logits.shape[4];
    const count = logits.size / classes;
    const onehot = tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), logits.shape);
    const logp = tf.logSoftmax(logits, -1);
    const loss = -tf.sum(tf.mul(onehot, logp)).dataSync()[0] / count;
    const grad = tf.div(tf.sub(tf.exp(logp), onehot), count) as tf.Tensor5D;
    return { loss, grad };
  });
}

describe.skipIf(!has)('engine paths agree with PyTorch and each other: one training step', () => {
  it.each(trainCases.map((c) => ({ c, title: c.name })))('$title: loss, train-mode logits, weight gradients', async ({ c }) => {
    const x = ncdhwToNdhwc(readF32(FIXTURES_DIR, c.input.file), c.input.shape);
    const labels = readI32(FIXTURES_DIR, c.labels!.file);
    const gradNames = Object.keys(c.expected.grads ?? {});
    expect(gradNames.length).toBeGreaterThan(0);
    const results: Record<string, Outputs> = {};
    for (const p of providers()) {
      // A fresh model per path: the training forward updates BN running statistics.
      const model = await loadModel(c);
      setKernels(p.make());
      const params = new Map(model.parameters());
      const got: Outputs = {};
      withGrad(true, () => {
        const out = model.forward(x, { training: true });
        const logits = out.logits!.value as tf.Tensor5D;
        got.logits = toChannelsFirst(logits).data;
        const ce = crossEntropy(logits, labels);
        got.loss = Float32Array.of(ce.loss);
        const grads = backward(out.logits!, ce.grad);
        for (const name of gradNames) {
          const param = params.get(name);
          expect(param, `parameter ${name}`).toBeDefined();
          const g = grads.get(param!.var);
          expect(g, `gradient of ${name}`).toBeDefined();
          const torch = tfjsToTorch(g!, param!.layout);
          got[`grad ${name}`] = torch.dataSync() as Float32Array;
          if (torch !== g) torch.dispose();
        }
        for (const g of grads.values()) g.dispose();
        ce.grad.dispose();
      });
      results[p.name] = got;
      expectWithin(got.loss, readF32(FIXTURES_DIR, c.expected.loss.file), c.tolerance.loss, `${p.name} loss`);
      expectWithin(got.logits, readF32(FIXTURES_DIR, c.expected.logits.file), c.tolerance.logits, `${p.name} logits`);
      for (const name of gradNames) {
        expectWithin(got[`grad ${name}`], readF32(FIXTURES_DIR, c.expected.grads![name].file), c.tolerance[`grad ${name}`], `${p.name} grad ${name}`);
      }
      model.dispose();
    }
    if (results.native) {
      for (const what of Object.keys(results.fallback)) {
        expectWithin(results.native[what], results.fallback[what], c.tolerance[what], `native vs fallback ${what}`);
      }
    }
    x.dispose();
  }, 300_000);
});
