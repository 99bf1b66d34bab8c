import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../models/buildModel';
import type { Med3dModel } from '../models/Med3dModel';
import type { ModelSpec } from '../models/ModelSpec';
import { parseCheckpoint, readCheckpoint } from '../weights/checkpoint';
import { crossEntropy } from './losses';
import { trainLoop, type TrainBatch, type TrainLoopOptions, type TrainProgress } from './trainLoop';
import { createHeadRegistry } from '../models/heads/headRegistry';

const heads = createHeadRegistry();

const spec: ModelSpec = {
  backbone: { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 },
  head: { kind: 'medicalnet-seg', classes: 2, hidden: 4 },
};

/** Deterministic batches: a function of the seed only. */
function batch(_e: number, _i: number, seed: number): TrainBatch {
  return {
    x: tf.randomNormal([2, 8, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor5D,
    labels: tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([2, 2, 2, 2], 0, 1, 'float32', seed + 1), 0.5), 'int32')),
  };
}

const base = (model: Med3dModel, extra: Partial<TrainLoopOptions> = {}): TrainLoopOptions => ({
  model,
  epochs: 2,
  stepsPerEpoch: 2,
  batch,
  loss: (out, b) => crossEntropy(out.logits!, b.labels),
  optimizer: { kind: 'adam', lr: 1e-2 },
  headLrScale: 10,
  schedule: { kind: 'cosine' },
  seed: 42,
  ...extra,
});

const snapshot = (m: Med3dModel): Map<string, number[]> => new Map([...m.stateDict()].map(([k, t]) => [k, Array.from(t.data as ArrayLike<number>, Number)]));

describe('trainLoop', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'med3d-train-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cancel + resume from the checkpoint ends with exactly the uninterrupted weights', async () => {
    const straight = buildModel(heads, spec, { seed: 1 });
    const events: TrainProgress[] = [];
    const r1 = await trainLoop(base(straight, { onProgress: (p) => events.push(p) }));
    expect(r1.steps).toBe(4);
    expect(events.map((e) => [e.epoch, e.step])).toEqual([
      [1, 1],
      [1, 2],
      [2, 3],
      [2, 4],
    ]);
    expect(events.every((e) => Number.isFinite(e.loss) && e.throughput > 0 && e.etaSeconds >= 0 && e.totalSteps === 4)).toBe(true);
    expect(events[3].etaSeconds).toBe(0);

    const file = path.join(dir, 'run.m3d');
    const interrupted = buildModel(heads, spec, { seed: 1 });
    const ac = new AbortController();
    const r2 = await trainLoop(base(interrupted, { checkpointFile: file, signal: ac.signal, onProgress: (p) => p.step === 2 && ac.abort() }));
    expect(r2).toMatchObject({ steps: 2, cancelled: true });
    const ck = await readCheckpoint(file);
    expect(ck.optimizer?.step).toBe(2);
    expect(ck.meta.history).toHaveLength(2);

    // A fresh process: other initial weights, everything comes from the checkpoint.
    const resumed = buildModel(heads, spec, { seed: 99 });
    const r3 = await trainLoop(base(resumed, { checkpointFile: file, resumeFrom: file }));
    expect(r3.steps).toBe(4);
    expect(r3.history.map((h) => h.loss)).toEqual(r1.history.map((h) => h.loss));
    const a = snapshot(straight);
    const c = snapshot(resumed);
    for (const [k, v] of a) expect(c.get(k), k).toEqual(v);
    // And training did change the weights.
    const init = snapshot(buildModel(heads, spec, { seed: 1 }));
    expect(init.get('conv1.weight')).not.toEqual(a.get('conv1.weight'));
  });

  it('checkpoints every N steps (written before the next step runs)', async () => {
    const file = path.join(dir, 'periodic.m3d');
    const model = buildModel(heads, spec, { seed: 3 });
    const stepsOnDisk: (number | null)[] = [];
    const onDisk = (): number | null => (existsSync(file) ? parseCheckpoint(readFileSync(file), file).optimizer!.step : null);
    await trainLoop(
      base(model, {
        epochs: 1,
        stepsPerEpoch: 5,
        checkpointFile: file,
        checkpointEvery: 2,
        onProgress: () => stepsOnDisk.push(onDisk()),
      }),
    );
    // progress fires before that step's checkpoint: after steps 1..5 the file holds null, null, 2, 2, 4
    expect(stepsOnDisk).toEqual([null, null, 2, 2, 4]);
    expect(onDisk()).toBe(5);
  });

  it('freezeEncoder + freezeBatchNorm: encoder weights and BN stats stay, head weights move; evaluate() metrics recorded', async () => {
    const model = buildModel(heads, spec, { seed: 4 });
    const before = snapshot(model);
    const r = await trainLoop(base(model, { epochs: 1, stepsPerEpoch: 1, freezeEncoder: true, freezeBatchNorm: true, evaluate: (e) => ({ dice: e / 10 }) }));
    expect(r.history.at(-1)).toMatchObject({ epoch: 1, metrics: { dice: 0.1 } });
    const after = snapshot(model);
    // frozen BN: running statistics untouched
    expect(after.get('bn1.running_mean')).toEqual(before.get('bn1.running_mean'));
    expect(after.get('bn1.num_batches_tracked')).toEqual(before.get('bn1.num_batches_tracked'));
    expect(after.get('layer2.0.conv1.weight')).toEqual(before.get('layer2.0.conv1.weight'));
    expect(after.get('conv_seg.6.weight')).not.toEqual(before.get('conv_seg.6.weight'));
  });
});

describe('trainLoop validation, budgets and best weights', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'med3d-train-val-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the best validated weights, stops early after `patience` validations and resumes them exactly', async () => {
    // A metric that peaks at step 2 then falls: the model must end with the step-2 weights.
    const scores: Record<number, number> = { 1: 0.2, 2: 0.9, 3: 0.5, 4: 0.4, 5: 0.3, 6: 0.1 };
    const atStep = new Map<number, Map<string, number[]>>();
    const make = (model: Med3dModel, extra: Partial<TrainLoopOptions> = {}): TrainLoopOptions =>
      base(model, {
        epochs: 1,
        stepsPerEpoch: 6,
        validation: {
          every: 1,
          metric: 'dice',
          patience: 2,
          bestFile: path.join(dir, 'best.m3d'),
          run: (step) => {
            atStep.set(step, snapshot(model));
            return { dice: scores[step] };
          },
        },
        ...extra,
      });
    const m = buildModel(heads, spec, { seed: 5 });
    const r = await trainLoop(make(m));
    expect(r.stopReason).toBe('early-stop');
    expect(r.steps).toBe(4);
    expect(r.best).toMatchObject({ step: 2, value: 0.9 });
    expect(snapshot(m).get('conv1.weight')).toEqual(atStep.get(2)!.get('conv1.weight'));
    const best = await readCheckpoint(path.join(dir, 'best.m3d'));
    expect(best.optimizer).toBeUndefined();
    expect(Array.from(best.stateDict.get('conv1.weight')!.data as Float32Array)).toEqual(atStep.get(2)!.get('conv1.weight'));

    // Interrupted after step 3, resumed in a "new process": same stop, same best weights.
    rmSync(path.join(dir, 'best.m3d'));
    const ck = path.join(dir, 'resume.m3d');
    const ac = new AbortController();
    const m2 = buildModel(heads, spec, { seed: 5 });
    const r2 = await trainLoop(make(m2, { checkpointFile: ck, signal: ac.signal, onProgress: (p) => p.step === 3 && ac.abort() }));
    expect(r2).toMatchObject({ cancelled: true, steps: 3 });
    const m3 = buildModel(heads, spec, { seed: 77 });
    const r3 = await trainLoop(make(m3, { checkpointFile: ck, resumeFrom: ck }));
    expect(r3).toMatchObject({ stopReason: 'early-stop', steps: 4, best: { step: 2, value: 0.9 } });
    const a = snapshot(m);
    for (const [k, val] of snapshot(m3)) expect(val, k).toEqual(a.get(k));
  });

  it('a time budget stops the run and validates the final weights', async () => {
    const m = buildModel(heads, spec, { seed: 6 });
    const seen: number[] = [];
    const r = await trainLoop(base(m, { epochs: 1, stepsPerEpoch: 10_000, maxSeconds: 0.3, validation: { every: 10_000, metric: 'acc', run: (s) => (seen.push(s), { acc: 0.5 }) } }));
    expect(r.stopReason).toBe('time');
    expect(r.steps).toBeGreaterThan(0);
    expect(r.steps).toBeLessThan(10_000);
    expect(seen).toEqual([r.steps]);
  });

  it('freeze by module prefix leaves exactly those parameters unchanged', async () => {
    const m = buildModel(heads, spec, { seed: 8 });
    const before = snapshot(m);
    await trainLoop(base(m, { epochs: 1, stepsPerEpoch: 1, freeze: ['conv1', 'layer1'] }));
    const after = snapshot(m);
    expect(after.get('conv1.weight')).toEqual(before.get('conv1.weight'));
    expect(after.get('layer1.0.conv1.weight')).toEqual(before.get('layer1.0.conv1.weight'));
    expect(after.get('layer2.0.conv1.weight')).not.toEqual(before.get('layer2.0.conv1.weight'));
  });
});
