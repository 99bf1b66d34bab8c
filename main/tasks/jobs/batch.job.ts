import type { JsonValue } from '../../../common/api/schema';
import type { BatchReport } from '../../../common/api/types';
import type { JobRegistry } from '../../jobs/jobRegistry';
import { TASK_NAMES, type TaskName } from '../taskRegistry';
import { parseShard } from '../batch/discoverCases';
import type { BatchOptions } from '../batch/runBatch';
import { taskEngine } from './taskEngine';

/**
 * 'batch' job kind (the app's "Batch segmentation" menu): the same runner as `med3d batch`, in
 * the engine worker. Params {task, in, out, model?, format?, resume?, shard?}.
 */
function parse(params: JsonValue): Omit<BatchOptions, 'log' | 'warn' | 'signal'> {
  const p = (params ?? {}) as Record<string, JsonValue>;
  const task = p.task as TaskName;
  if (!TASK_NAMES.includes(task)) throw new Error(`batch: task must be one of ${TASK_NAMES.join(', ')}`);
  if (typeof p.in !== 'string' || typeof p.out !== 'string') throw new Error('batch: "in" and "out" folders are required');
  const format = p.format === undefined ? 'nifti' : p.format;
  if (format !== 'nifti' && format !== 'dicom-seg') throw new Error('batch: format must be nifti or dicom-seg');
  return {
    task,
    inDir: p.in,
    outDir: p.out,
    model: typeof p.model === 'string' ? p.model : undefined,
    format,
    resume: p.resume === true,
    shard: typeof p.shard === 'string' ? parseShard(p.shard) : undefined,
  };
}

export function register(r: JobRegistry): void {
  r.register('batch', {
    // Checked against the allowed folders by the job manager before the job is queued; `model`
    // without a slash or dot is a workspace model version id, resolved below.
    pathParams: { in: 'read', out: 'write', model: { access: 'read', idPattern: /^[^\\/.]+$/ } },
    validate: (params) => void parse(params),
    title: (params) => `Batch ${String((params as Record<string, JsonValue>)?.task ?? '')} segmentation`,
    async run(ctx) {
      const opts = parse(ctx.params);
      const ws = ctx.services.workspace();
      const model = opts.model && ws && !/[\\/.]/.test(opts.model) ? ws.getModel(opts.model).path : opts.model;
      const res = await taskEngine().run(
        'tasks.batch',
        { ...opts, model },
        { signal: ctx.signal, onProgress: (p) => ctx.progress(p.fraction ?? 0, p.message) },
      );
      if (res.exitCode === 1) throw new Error(`batch: nothing could run (see ${res.reportJson})`);
      return res;
    },
  });
}
