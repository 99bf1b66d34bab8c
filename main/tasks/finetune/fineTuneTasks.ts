import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import type { TaskPreprocessing } from '../engine/taskModel';
import { lungSpec } from '../defaultSpecs';
import { LUNG_TASK } from '../taskDefinitions';
import { LUNG_DEFAULT_PREPROCESSING } from '../lung/lungModel';
import { fineTuneLiver, LIVER_TWO_STAGE_PREPROCESSING, liverTwoStageSpec } from '../liver/fineTuneLiver';
import type { FineTuneOptions, FineTuneResult } from './fineTune';

/**
 * What fine-tuning needs to know per task, by task id (add an entry to make a task fine-tunable
 * from workspace corrections): the model of a new version (from scratch, or this head on an
 * imported encoder), its default preprocessing and the checkpoint's meta.task.
 */
export interface FineTuneTask {
  spec(backbone: BackboneSpec): ModelSpec;
  preprocessing: TaskPreprocessing;
  checkpointTask: string;
  /**
   * How it trains, when not by segmentation patches (fineTune): same options and result; a
   * returned preprocessing is what the model was trained with (stored in the checkpoint).
   */
  train?: (o: FineTuneOptions) => Promise<FineTuneResult & { preprocessing?: TaskPreprocessing }>;
  /** Held-out cases are scored through the task's own pipeline (prepareTask, what runTask runs) rather than segmentVolume. */
  scoreViaPipeline?: boolean;
}

export const FINETUNE_TASKS: Readonly<Record<string, FineTuneTask>> = {
  lung: { spec: lungSpec, preprocessing: LUNG_DEFAULT_PREPROCESSING, checkpointTask: LUNG_TASK.checkpointTask },
  // One liver model = both stages (coarse → ROI → fine) on one encoder, trained with the paper's ROI expansion and augmentation.
  liver: { spec: liverTwoStageSpec, preprocessing: LIVER_TWO_STAGE_PREPROCESSING, checkpointTask: 'liver-two-stage', train: fineTuneLiver, scoreViaPipeline: true },
};

export function fineTuneTask(task: string): FineTuneTask {
  const t = FINETUNE_TASKS[task];
  if (!t) throw new Error(`fine-tuning from corrections is available for ${Object.keys(FINETUNE_TASKS).join(', ')}, not '${task}'`);
  return t;
}
