import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import { buildModel } from '../models/buildModel';
import { readF32, readI32, readManifest, worstExcess } from '../models/testing/fixtures';
import { ncdhwToNdhwc, toChannelsFirst } from '../nn/layout';
import { tfjsToTorch } from '../nn/layers/Param';
import { inferArchitecture } from '../weights/inferArchitecture';
import { readPth } from '../weights/readPth';
import { computeGradients } from './computeGradients';
import { crossEntropy } from './losses';
import { createHeadRegistry } from '../models/heads/headRegistry';

/**
 * MedicalNet training parity: one train-mode forward + backward of mean cross-entropy must give
 * PyTorch's loss, train-mode logits, parameter gradients (incl. the dilated layer4 conv) and
 * bn1 running statistics within the manifest's tolerances.
 */
const has = sharedAvailable('MedicalNet training fixture');
const cases = has ? readManifest(FIXTURES_DIR).cases.filter((c) => c.kind === 'train') : [];

describe.skipIf(!has)('MedicalNet fixtures: one training step', () => {
  it.each(cases.map((c) => ({ c, title: c.name })))('$title', async ({ c }) => {
    const { stateDict } = await readPth(`${FIXTURES_DIR}/${c.checkpoints[0].file}`);
    const model = buildModel(createHeadRegistry(), inferArchitecture(createHeadRegistry(), stateDict).spec);
    model.loadStateDict(stateDict);
    const x = ncdhwToNdhwc(readF32(FIXTURES_DIR, c.input.file), c.input.shape);
    const labels = tf.tensor(readI32(FIXTURES_DIR, c.labels!.file), c.labels!.shape, 'int32');
    const r = computeGradients(model, x, (out) => crossEntropy(out.logits!, labels), { keepLogits: true });

    const check = (what: string, actual: ArrayLike<number>, file: string): void => {
      const res = worstExcess(actual, readF32(FIXTURES_DIR, file), c.tolerance[what]);
      expect(res.excess, `${what}: max |diff| ${res.maxAbs}`).toBeLessThanOrEqual(0);
    };
    check('loss', [r.loss], c.expected.loss.file);
    const logits = toChannelsFirst(r.logits!);
    expect(logits.shape).toEqual(c.expected.logits.shape);
    check('logits', logits.data, c.expected.logits.file);
    const params = new Map(model.parameters());
    for (const [name, spec] of Object.entries(c.expected.grads ?? {})) {
      const g = r.grads.get(name);
      expect(g, `gradient of ${name}`).toBeDefined();
      const torch = tf.tidy(() => tfjsToTorch(g!, params.get(name)!.layout));
      expect(torch.shape).toEqual(spec.shape);
      check(`grad ${name}`, torch.dataSync(), spec.file);
      torch.dispose();
    }
    // every trainable parameter received a gradient
    expect([...r.grads.keys()].sort()).toEqual([...params.keys()].sort());
    const sd = model.stateDict();
    check('bn1.running_mean', sd.get('bn1.running_mean')!.data as Float32Array, c.expected['bn1.running_mean'].file);
    check('bn1.running_var', sd.get('bn1.running_var')!.data as Float32Array, c.expected['bn1.running_var'].file);
    expect(Number((sd.get('bn1.num_batches_tracked')!.data as BigInt64Array)[0])).toBe(c.expected['bn1.num_batches_tracked'] as unknown as number);
    r.grads.forEach((t) => t.dispose());
    r.logits?.dispose();
    x.dispose();
    labels.dispose();
    model.dispose();
  });
});
