/**
 * MedicalNet parity report: every case of ../shared/fixtures/medicalnet through the engine
 * (readPth → inferArchitecture → buildModel), printing max |diff| and the manifest tolerance
 * for each checked tensor. Exit code 1 if any is out of tolerance.
 *
 *   MED3D_DEVICE=tfjs node bin/run-ts.mjs scripts/parity-medicalnet.ts   (any --device value: webgpu, native, ...)
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngineBackend } from '../main/engine/backend/selectBackend';
import { loadModel } from '../main/engine/weights/loadModel';
import { readF32, readI32, readManifest, worstExcess, type Tolerance } from '../main/engine/models/testing/fixtures';
import { ncdhwToNdhwc, toChannelsFirst } from '../main/engine/nn/layout';
import { tfjsToTorch } from '../main/engine/nn/layers/Param';
import { computeGradients } from '../main/engine/train/computeGradients';
import { crossEntropy } from '../main/engine/train/losses';
import { FIXTURES_DIR, sharedAvailable } from '../test/sharedDir';

if (!sharedAvailable('MedicalNet fixtures')) process.exit(0);
const report = await initEngineBackend();
console.log(`kernels: ${report.kernels}`);
let bad = 0;
const row = (name: string, what: string, actual: ArrayLike<number>, file: string, tol: Tolerance): void => {
  const r = worstExcess(actual, readF32(FIXTURES_DIR, file), tol);
  if (r.excess > 0) bad++;
  console.log(`${name.padEnd(28)} ${what.padEnd(28)} max|diff| ${r.maxAbs.toExponential(2)}  tol ${tol.max_abs_diff}+${tol.max_rel_diff}|e|  ${r.excess <= 0 ? 'ok' : 'FAIL'}`);
};
for (const c of readManifest(FIXTURES_DIR).cases) {
  for (const ck of c.checkpoints) {
    const { model } = await loadModel(`${FIXTURES_DIR}/${ck.file}`);
    const x = ncdhwToNdhwc(readF32(FIXTURES_DIR, c.input.file), c.input.shape);
    const name = `${c.name} (${ck.format})`;
    if (c.kind === 'train') {
      const labels = tf.tensor(readI32(FIXTURES_DIR, c.labels!.file), c.labels!.shape, 'int32');
      const r = computeGradients(model, x, (o) => crossEntropy(o.logits!, labels), { keepLogits: true });
      row(name, 'loss', [r.loss], c.expected.loss.file, c.tolerance.loss);
      row(name, 'logits (train mode)', toChannelsFirst(r.logits!).data, c.expected.logits.file, c.tolerance.logits);
      const params = new Map(model.parameters());
      for (const [p, spec] of Object.entries(c.expected.grads ?? {})) {
        const t = tfjsToTorch(r.grads.get(p)!, params.get(p)!.layout);
        row(name, `grad ${p}`, t.dataSync(), spec.file, c.tolerance[`grad ${p}`]);
      }
      const sd = model.stateDict();
      row(name, 'bn1.running_mean', sd.get('bn1.running_mean')!.data as Float32Array, c.expected['bn1.running_mean'].file, c.tolerance['bn1.running_mean']);
      row(name, 'bn1.running_var', sd.get('bn1.running_var')!.data as Float32Array, c.expected['bn1.running_var'].file, c.tolerance['bn1.running_var']);
    } else {
      const out = model.predict(x);
      row(name, 'features', toChannelsFirst(out.features).data, c.expected.features.file, c.tolerance.features);
      if (c.expected.logits) row(name, 'logits', toChannelsFirst(out.logits!).data, c.expected.logits.file, c.tolerance.logits);
    }
    model.dispose();
  }
}
if (bad) {
  console.log(`${bad} tensor(s) out of tolerance`);
  process.exitCode = 1;
}
