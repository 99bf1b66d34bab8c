import type { Vec3 } from '../../volume/Volume';
import type { Med3dModel } from '../../engine/models/Med3dModel';
import type { TrainLoopOptions } from '../../engine/train/trainLoop';
import type { ClassificationDataset, LabelEntry, SegmentationDataset } from '../../datasets';
import type { TaskPreprocessing } from '../engine/taskModel';
import type { TaskDefinition } from '../TaskDefinition';

/**
 * How a kind of task turns checked datasets into what the one training loop needs (batches,
 * loss, validation) and fixes the preprocessing stored in the model. One recipe per way of
 * training (dense patches, nodule patches …), looked up by TaskDefinition.recipe.
 */
export interface RecipeInput {
  def: TaskDefinition;
  /** Training and held-out validation data (already checked and split). */
  train: SegmentationDataset | ClassificationDataset;
  val: SegmentationDataset | ClassificationDataset;
  /** Class table: class index c ↔ labels[c] (0 = background / negative). */
  labels: LabelEntry[];
  /** Preprocessing to use; a missing `spacing` is computed from the training data (median). */
  preprocessing: TaskPreprocessing;
  patch: Vec3;
  batchSize: number;
  /** Augmentation on (default in `med3d train`). */
  augment: boolean;
  log: (line: string) => void;
}

export interface PreparedTraining {
  /** The preprocessing actually used (stored in the model, repeated by batch and the app). */
  preprocessing: TaskPreprocessing;
  trainCount: number;
  valCount: number;
  batch: TrainLoopOptions['batch'];
  loss: TrainLoopOptions['loss'];
  /** Metrics of the model on the validation data; must contain the task's `metric`. */
  validate: (model: Med3dModel) => Record<string, number>;
}

export interface TrainingRecipe {
  id: string;
  kind: 'segmentation' | 'classification';
  prepare(input: RecipeInput): Promise<PreparedTraining>;
}
