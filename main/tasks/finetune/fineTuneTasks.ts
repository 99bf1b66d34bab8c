import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import type { TaskPreprocessing } from '../engine/taskModel';
import { liverFineSpec, lungSpec } from '../engine/defaultSpecs';
import { LUNG_TASK } from '../taskDefinitions';
import { LUNG_DEFAULT_PREPROCESSING } from '../lung/lungModel';
import { LIVER_FINE_PREPROCESSING } from '../liver/liverTask';

/**
 * What fine-tuning needs to know per task, by task id (add an entry to make a task fine-tunable
 * from workspace corrections): the model of a new version (from scratch, or this head on an
 * imported encoder), its default preprocessing and the checkpoint's meta.task.
 */
export interface FineTuneTask {
  spec(backbone: BackboneSpec): ModelSpec;
  preprocessing: TaskPreprocessing;
  checkpointTask: string;
}

export const FINETUNE_TASKS: Readonly<Record<string, FineTuneTask>> = {
  lung: { spec: lungSpec, preprocessing: LUNG_DEFAULT_PREPROCESSING, checkpointTask: LUNG_TASK.checkpointTask },
  liver: { spec: liverFineSpec, preprocessing: LIVER_FINE_PREPROCESSING, checkpointTask: 'liver-fine' },
};

export function fineTuneTask(task: string): FineTuneTask {
  const t = FINETUNE_TASKS[task];
  if (!t) throw new Error(`fine-tuning from corrections is available for ${Object.keys(FINETUNE_TASKS).join(', ')}, not '${task}'`);
  return t;
}
