import type { LabelMap, Vec3 } from '../volume/Volume';
import type { BackboneSpec, HeadSpec } from '../engine/models/ModelSpec';
import type { LabelEntry } from '../datasets/Dataset';
import type { TaskPreprocessing } from './engine/taskModel';

/**
 * What one task is, as data: its labels, default model, preprocessing, how it trains (which
 * recipe turns a dataset into batches, loss and validation metric) and how it predicts. `med3d
 * train`, `med3d batch --model`, `med3d pretrain` and the app's fine-tuning read tasks from a
 * TaskRegistry that the caller builds and passes in (createTaskRegistry), never from a module
 * that registered itself on import.
 */
export type TaskKind = 'segmentation' | 'classification';

/** How a task's model is trained and run: the recipe registry key (train/recipes.ts). */
export type RecipeId = 'segmentation-patches' | 'nodule-patches' | (string & {});

export interface TaskDefinition {
  /** CLI name: `med3d train --task <id>`. */
  id: string;
  /** One line for `--help` and reports. */
  title: string;
  kind: TaskKind;
  /** meta.task of the models this task writes (and recognises in `batch --model`). */
  checkpointTask: string;
  /** Older meta.task values that mean the same task (models written before this definition). */
  aliases?: readonly string[];
  /**
   * Label table: class index c of the model ↔ `labels[c]` (index 0 is background). 'from-dataset'
   * takes the dataset's own values and names (stored in the model, so masks come back with them).
   */
  labels: readonly LabelEntry[] | 'from-dataset';
  /** The head on a backbone for `classes` classes (the paper's decoder, GAP + FC, …). */
  head: (backbone: BackboneSpec, classes: number) => HeadSpec;
  /** Backbone of a model from scratch (`--depth/--width/--shortcut` override its fields). */
  backbone: BackboneSpec;
  /**
   * Preprocessing defaults. `spacing` absent = the training data's per-axis median spacing; the
   * values actually used are stored in the model (meta.preprocessing) and repeated by batch/app.
   */
  preprocessing: TaskPreprocessing;
  /** Training patch (i, j, k) in voxels (multiples of 8); segmentation validates and predicts with sliding windows of this size. */
  patch: Vec3;
  /** Patches per step. */
  batchSize: number;
  /** Name of the validation metric that picks the best weights (higher is better). */
  metric: 'dice' | 'auc' | 'accuracy' | 'score';
  /** Recipe that trains and predicts (train/recipes.ts). */
  recipe: RecipeId;
}

/** A trained model's label table as masks carry it. */
export function labelTableOf(labels: readonly LabelEntry[]): LabelMap['labels'] {
  return labels.filter((l) => l.value !== 0).map((l) => ({ value: l.value, name: l.name }));
}

/** The tasks of one run, by id (and by the meta.task of the models they write). */
export class TaskRegistry {
  private readonly byId = new Map<string, TaskDefinition>();

  constructor(defs: readonly TaskDefinition[] = []) {
    for (const d of defs) this.register(d);
  }

  register(def: TaskDefinition): void {
    if (this.byId.has(def.id)) throw new Error(`task '${def.id}' is defined twice`);
    this.byId.set(def.id, def);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): TaskDefinition {
    const d = this.byId.get(id);
    if (!d) throw new Error(`unknown task '${id}' (known: ${this.ids().join(', ')})`);
    return d;
  }

  /** The task that wrote a model (its meta.task), or undefined for foreign weights. */
  forCheckpointTask(task: string | undefined): TaskDefinition | undefined {
    if (!task) return undefined;
    return [...this.byId.values()].find((d) => d.checkpointTask === task || d.aliases?.includes(task));
  }
}
