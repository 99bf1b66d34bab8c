import { buildModel } from '../models/buildModel';
import { createHeadRegistry } from '../models/heads/headRegistry';
import type { Med3dModel } from '../models/Med3dModel';
import { loadWeights, type LoadedWeights } from './loadWeights';

/**
 * Weights file (PyTorch .pth or our checkpoint) → ready model with those weights loaded
 * strictly. Errors name the file and the cause.
 */
export async function loadModel(file: string): Promise<{ model: Med3dModel; weights: LoadedWeights }> {
  const weights = await loadWeights(file);
  const model = buildModel(createHeadRegistry(), weights.spec);
  try {
    model.loadStateDict(weights.stateDict);
  } catch (err) {
    model.dispose();
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  return { model, weights };
}
