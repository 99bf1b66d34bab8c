import { v } from '../../../common/api/schema';
import type { JobRegistry } from '../../jobs/jobRegistry';
import type { ClassifyPayload } from './taskWorkerJobs';
import { taskEngine } from './taskEngine';

/**
 * 'nodule:classify' job kind (api.classifyNodule): the user clicks a nodule; a fixed-size patch
 * around it goes through the nodule model (encoder + GAP + FC). Result: {probability,
 * centerVoxel, centerWorld, patchVolumeId, modelVersion}; the patch is registered so the UI can
 * show it beside the probability.
 */
const CLASSIFY_PARAMS = v.object({
  /** Where the user clicked: 'world' = RAS+ mm, 'voxel' = (i, j, k) of the scan. */
  point: v.object({ frame: v.literal('world', 'voxel'), coords: v.tuple3(v.number()) }),
  /** A workspace model version id; default: the active nodule model. */
  modelVersion: v.optional(v.string({ max: 128 })),
});

export function register(r: JobRegistry): void {
  r.register('nodule:classify', {
    params: CLASSIFY_PARAMS,
    validate(_params, caseId) {
      if (!caseId) throw new Error('nodule:classify needs a caseId');
    },
    title: (_p, caseId) => `Nodule malignancy — ${caseId}`,
    async run(ctx) {
      const { point, modelVersion } = ctx.params;
      const ws = ctx.services.workspace();
      if (!ws) throw new Error('nodule:classify: no workspace is open');
      const model = modelVersion ? ws.getModel(modelVersion) : ws.activeModel('nodule');
      if (!model) throw new Error('nodule:classify: the workspace has no nodule model; import MedicalNet weights or a nodule checkpoint first');
      const ct = await ctx.services.loadCaseVolume(ctx.caseId!);
      const payload: ClassifyPayload = { model: model.path, ct, point };
      const res = await taskEngine().run('nodule:classify', payload, { signal: ctx.signal });
      const header = ctx.services.registerVolume(res.patch, { caseId: ctx.caseId });
      return { probability: res.probability, centerVoxel: res.centerVoxel, centerWorld: res.centerWorld, patchVolumeId: header.volumeId, modelVersion: model.versionId };
    },
  });
}
