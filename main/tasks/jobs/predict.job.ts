import { v } from '../../../common/api/schema';
import type { JobRegistry } from '../../jobs/jobRegistry';
import type { LabelMap } from '../../volume/Volume';
import { TASK_NAMES } from '../taskRegistry';
import type { PredictPayload, PredictResult } from './taskWorkerJobs';
import { taskEngine } from './taskEngine';
import { toWorkspaceLabels } from './taskLabels';

/**
 * 'predict' job kind: run a task on a workspace case and save the result as a new label version
 * (status 'predicted'). Params {task, modelVersion?}; without a model version the task's active
 * workspace model is used, and the lung task falls back to the cold-start mask.
 */
const PREDICT_PARAMS = v.object({
  task: v.literal(...TASK_NAMES),
  /** A workspace model version id; default: the task's active model (lung: the cold-start mask without one). */
  modelVersion: v.optional(v.string({ max: 128 })),
});

export function register(r: JobRegistry): void {
  r.register('predict', {
    params: PREDICT_PARAMS,
    validate(_params, caseId) {
      if (!caseId) throw new Error('predict needs a caseId');
    },
    title: (params, caseId) => `${params.task} segmentation — ${caseId}`,
    async run(ctx) {
      const { task, modelVersion } = ctx.params;
      const ws = ctx.services.workspace();
      if (!ws) throw new Error('predict: no workspace is open');
      const caseId = ctx.caseId!;
      const ct = await ctx.services.loadCaseVolume(caseId);
      ctx.progress(0.05, 'scan loaded');
      const model = modelVersion ? ws.getModel(modelVersion) : ws.activeModel(task);
      const payload: PredictPayload = { task, model: model?.path, ct };
      const res = await taskEngine().run('predict', payload, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(0.05 + 0.9 * (p.fraction ?? 0), p.message),
      });
      const prev = await ws.loadLabel(caseId).catch(() => null);
      // A liver model trained on a dataset answers with that dataset's liver value (LiTS 1, MSD 1, others…): liver is class 1 here.
      const mask = task === 'liver' ? { ...(res.mask as LabelMap), data: Uint8Array.from(res.mask.data, (v) => (v ? 1 : 0)) } : (res.mask as LabelMap);
      const labels = toWorkspaceLabels(task, mask, prev?.labels);
      // Active learning: the prediction's uncertainty is stored on the case with the version, in one manifest write.
      const uncertainty = res.uncertainty ? { value: res.uncertainty.value, measure: res.uncertainty.measure, modelVersion: model?.versionId ?? null } : undefined;
      const v = await ws.saveLabel(caseId, labels, { status: 'predicted', author: `model:${model?.versionId ?? res.method}`, note: `${task}: ${res.method}`, uncertainty });
      return { labelVersion: v.version, method: res.method, modelVersion: model?.versionId ?? null, notes: res.notes, uncertainty: res.uncertainty?.value ?? null };
    },
  });
}
