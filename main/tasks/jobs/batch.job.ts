import { v, type Infer } from '../../../common/api/schema';
import type { JobRegistry } from '../../jobs/jobRegistry';
import { TASK_NAMES, type TaskName } from '../taskRegistry';
import { createTaskRegistry } from '../taskDefinitions';
import { parseShard } from '../batch/discoverCases';
import type { BatchPayload } from './taskWorkerJobs';
import { taskEngine } from './taskEngine';

/**
 * 'batch' job kind: the app's File ▸ Batch Segmentation… and `med3d batch` (which runs this kind in
 * its own process, main/jobs/runJobHere): every scan below `in` segmented in the engine worker,
 * outputs and report.json/report.csv in `out`.
 */
const BATCH_PARAMS = v.object({
  /** A TaskName, or with `model` the id of the TaskDefinition that trained it (optional then: the model names it). */
  task: v.optional(v.string({ max: 64 })),
  in: v.string(),
  out: v.string(),
  /** Workspace model version id, MedicalNet .pth or Med3D checkpoint. */
  model: v.optional(v.string()),
  /** Workspace whose version ids `model` may name (the app's open workspace otherwise). */
  workspace: v.optional(v.string()),
  format: v.optional(v.literal('nifti', 'dicom-seg')),
  resume: v.optional(v.boolean()),
  /** 'i/N': only shard i of N (0-based, by case id). */
  shard: v.optional(v.string({ max: 32 })),
  /** Folder of reference masks (<case id>.nii.gz) for Dice. */
  refDir: v.optional(v.string()),
});
type BatchParams = Infer<typeof BATCH_PARAMS>;

function checkTask(p: BatchParams): void {
  if (p.task === undefined) {
    if (!p.model) throw new Error('batch: task is required without a model');
  } else if (!TASK_NAMES.includes(p.task as TaskName) && !(p.model && createTaskRegistry().ids().includes(p.task))) {
    throw new Error(`batch: task must be one of ${TASK_NAMES.join(', ')} (or, with a model, the task that trained it), got '${p.task}'`);
  }
  if (p.shard !== undefined) parseShard(p.shard);
}

export function register(r: JobRegistry): void {
  r.register('batch', {
    params: BATCH_PARAMS,
    // Checked against the allowed folders by the job manager before the job is queued; `model`
    // without a slash or dot is a workspace model version id, resolved below.
    pathParams: { in: 'read', out: 'write', workspace: 'read', refDir: 'read', model: { access: 'read', idPattern: /^[^\\/.]+$/ } },
    validate: checkTask,
    title: (params) => `Batch ${params.task ?? ''} segmentation`,
    async run(ctx) {
      const p = ctx.params;
      const ws = ctx.services.workspace();
      const isId = p.model !== undefined && !/[\\/.]/.test(p.model);
      const model = isId && ws && !p.workspace ? ws.getModel(p.model!).path : p.model;
      const payload: BatchPayload = {
        task: p.task as TaskName | undefined,
        inDir: p.in,
        outDir: p.out,
        model,
        workspace: p.workspace,
        format: p.format ?? 'nifti',
        resume: p.resume === true,
        shard: p.shard === undefined ? undefined : parseShard(p.shard),
        refDir: p.refDir,
      };
      // The ladder starts before any model is read, so an unusable --device fails here, in one line.
      const engine = await taskEngine().start();
      ctx.progress(0, `engine backend: ${engine.backend} (kernels ${engine.kernels}, device ${engine.device})`);
      let fraction = 0;
      const res = await taskEngine().run('batch', payload, {
        signal: ctx.signal,
        onProgress: (e) => {
          fraction = e.fraction ?? fraction;
          if (e.values?.warning && ctx.warn && e.message !== undefined) ctx.warn(e.message);
          else ctx.progress(fraction, e.message);
        },
      });
      if (res.exitCode === 1) throw new Error(`batch: nothing could run (see ${res.reportJson})`);
      return res;
    },
  });
}
