import { loadWeights, type LoadedWeights } from '../weights/loadWeights';
import { buildModel } from './buildModel';
import './heads/recognizers';
import type { Med3dModel } from './Med3dModel';

/**
 * Weights file (PyTorch .pth or our checkpoint) → ready model with those weights loaded
 * strictly. Errors name the file and the cause.
 */
export async function loadModel(file: string): Promise<{ model: Med3dModel; weights: LoadedWeights }> {
  const weights = await loadWeights(file);
  const model = buildModel(weights.spec);
  try {
    model.loadStateDict(weights.stateDict);
  } catch (err) {
    model.dispose();
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  return { model, weights };
}
