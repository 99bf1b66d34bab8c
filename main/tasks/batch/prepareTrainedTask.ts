import { segmentVolume } from '../engine/segmentVolume';
import { loadTaskModel } from '../engine/taskModel';
import { labelTableOf, type TaskRegistry } from '../TaskDefinition';
import { prepareTask, TASK_NAMES, type PreparedTask, type TaskName } from '../taskRegistry';

/**
 * `med3d batch --model <m>` for a model whose meta.task names a segmentation TaskDefinition
 * (written by `med3d train`, or an older lung model): the task, preprocessing and label table all
 * come from the model. Returns null for models no task definition claims (the caller then uses
 * the per-task pipelines of taskRegistry.ts).
 */
export async function prepareTrainedTask(model: string, tasks: TaskRegistry, opts: { workspace?: string; task?: string } = {}): Promise<PreparedTask | null> {
  const tm = await loadTaskModel(model, { workspace: opts.workspace });
  const def = tasks.forCheckpointTask(tm.task);
  if (!def) return null;
  if (def.kind !== 'segmentation') throw new Error(`model ${tm.source} is a ${def.id} (${def.kind}) model: batch segments scans; use \`med3d evaluate\` for CSV rows`);
  if (opts.task && opts.task !== def.id && !(def.id === 'segment' && opts.task === 'segment')) throw new Error(`model ${tm.source} was trained for task '${def.id}', not '${opts.task}' (omit --task to use the model's)`);
  // Tasks with their own pipeline (liver's two stages) run it, with the task taken from the model.
  if (def.recipe !== 'segmentation-patches' && (TASK_NAMES as readonly string[]).includes(def.id)) return prepareTask(def.id as TaskName, { model, workspace: opts.workspace });
  const head = tm.spec.head;
  const classes = 'classes' in head ? head.classes : 0;
  const labels = tm.labels ?? (def.labels === 'from-dataset' ? null : [...def.labels]);
  if (!labels || labels.length !== classes) return null;
  const names = labelTableOf(labels).map((l) => `${l.value}=${l.name}`).join(', ');
  return {
    task: def.id,
    method: `${tm.versionId ?? tm.source} (${def.id}, ResNet-${tm.spec.backbone.depth} w${tm.spec.backbone.baseWidth}, labels ${names})`,
    run: async (ct, signal) => {
      const s = segmentVolume(tm, ct, labels, signal);
      return { mask: s.mask, notes: [], uncertainty: { value: s.meanEntropy, measure: 'entropy' } };
    },
  };
}
