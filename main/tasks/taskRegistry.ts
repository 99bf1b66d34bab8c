import type { LabelMap, Volume } from '../volume/Volume';
import { segmentLungs } from './lung/segmentLungs';

/**
 * The segmentation tasks the CLI, the batch runner and the app's 'predict' job can run, by name.
 * A task is prepared once (model loaded once) and then run case after case.
 */
export type TaskName = 'lung' | 'liver' | 'nodule';
export const TASK_NAMES: readonly TaskName[] = ['lung', 'liver', 'nodule'];

export interface TaskResult {
  /** Label map on the input scan's grid. */
  mask: LabelMap;
  notes: string[];
  /** Per-finding details (e.g. nodules with malignancy probability), JSON-serialisable. */
  findings?: Array<Record<string, string | number | boolean | number[]>>;
  /** Active learning's score of this prediction (nats; see CaseUncertainty), when the method measures one. */
  uncertainty?: { value: number; measure: string };
}

export interface PreparedTask {
  /** A TaskName, or the TaskDefinition id of a trained model ('segment', 'lung' …). */
  task: string;
  /** What runs, for reports: 'cold-start', or the model's description. */
  method: string;
  run(ct: Volume, signal?: AbortSignal): Promise<TaskResult>;
}

export interface PrepareTaskOptions {
  /** Model file (.pth or our checkpoint) or a workspace model version id. */
  model?: string;
  /** Workspace folder for model version ids. */
  workspace?: string;
}

export type TaskFactory = (opts: PrepareTaskOptions) => Promise<PreparedTask>;

const registry = new Map<TaskName, TaskFactory>();

export function registerTask(name: TaskName, factory: TaskFactory): void {
  registry.set(name, factory);
}

/** Thrown when a task cannot start at all (no model for a task that needs one, bad weights). */
export class TaskSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskSetupError';
  }
}

export async function prepareTask(name: TaskName, opts: PrepareTaskOptions = {}): Promise<PreparedTask> {
  const f = registry.get(name);
  if (!f) throw new TaskSetupError(`unknown task '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return f(opts);
}

registerTask('lung', async (opts) => {
  if (opts.model) {
    const { loadLungPredictor } = await import('./lung/lungModel');
    const model = await loadLungPredictor(opts.model, opts);
    return {
      task: 'lung',
      method: model.describe(),
      run: async (ct, signal) => {
        const r = await segmentLungs(ct, { model, signal });
        return { mask: r.mask, notes: r.notes, uncertainty: r.uncertainty };
      },
    };
  }
  return {
    task: 'lung',
    method: 'cold-start',
    run: async (ct) => {
      const r = await segmentLungs(ct);
      return { mask: r.mask, notes: r.notes, uncertainty: r.uncertainty };
    },
  };
});

for (const name of ['liver', 'nodule'] as const) {
  registerTask(name, async (opts) => {
    if (!opts.model) throw new TaskSetupError(`task '${name}' needs a model: pass --model <workspace version | .pth | checkpoint>`);
    const mod = name === 'liver' ? await import('./liver/liverTask') : await import('./nodule/noduleTask');
    return mod.prepare(opts);
  });
}
