import { liverRecipe } from '../liver/liverRecipe';
import { noduleRecipe } from './noduleRecipe';
import { segmentationRecipe } from './segmentationRecipe';
import type { TrainingRecipe } from './TrainingRecipe';

/** Training recipes by TaskDefinition.recipe (passed explicitly; callers may add their own). */
export function defaultRecipes(): Map<string, TrainingRecipe> {
  return new Map([segmentationRecipe, liverRecipe, noduleRecipe].map((r) => [r.id, r]));
}
