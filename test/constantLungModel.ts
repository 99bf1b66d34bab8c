import { buildModel } from '../main/engine/models/buildModel';
import { createHeadRegistry } from '../main/engine/models/heads/headRegistry';
import { saveCheckpoint } from '../main/engine/weights/checkpoint';
import { lungSpec, tinyBackbone } from '../main/tasks/defaultSpecs';
import { preprocessingToJson } from '../main/tasks/engine/taskModel';

/**
 * A tiny lung model (.m3d) that predicts one class everywhere: its last bias (±50) overwhelms the
 * random weights, and a few fine-tuning steps cannot move it. 0: finds nothing (Dice 0), 1 / 2:
 * everything is right / left lung. For tests that need models whose predictions are known.
 */
export async function writeConstantLungModel(file: string, everywhere: 0 | 1 | 2): Promise<void> {
  const spec = lungSpec(tinyBackbone(2));
  const sd = buildModel(createHeadRegistry(), spec, { seed: 1 }).stateDict();
  const bias = [...sd].filter(([k, t]) => k.endsWith('.bias') && t.shape.length === 1 && t.shape[0] === 3).at(-1)![1];
  (bias.data as Float32Array).set([0, 1, 2].map((c) => (c === everywhere ? 50 : -50)));
  const preprocessing = preprocessingToJson({ clip: [0.5, 99.5], window: [32, 32, 32], spacing: [8, 8, 8] });
  await saveCheckpoint(file, { spec, stateDict: sd, meta: { createdAt: new Date().toISOString(), task: 'lung-segmentation', preprocessing } });
}
