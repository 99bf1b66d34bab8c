import type { JsonValue } from '../../../common/api/schema';
import type { JobRegistry } from '../../jobs/jobRegistry';
import type { Vec3, Volume } from '../../volume/Volume';
import type { ClassifyPayload } from '../engine/taskWorkerJobs';
import type { NodulePoint } from '../nodule/noduleTask';
import { taskEngine } from './taskEngine';

/**
 * 'nodule:classify' job kind (api.classifyNodule): the user clicks a nodule; a fixed-size patch
 * around it goes through the nodule model (encoder + GAP + FC). Result: {probability,
 * centerVoxel, centerWorld, patchVolumeId, modelVersion}; the patch is registered so the UI can
 * show it beside the probability.
 */
function parse(params: JsonValue): { point: NodulePoint; modelVersion?: string } {
  const p = (params ?? {}) as Record<string, JsonValue>;
  const pt = p.point as Record<string, JsonValue> | undefined;
  const coords = pt?.coords;
  if (!pt || (pt.frame !== 'world' && pt.frame !== 'voxel') || !Array.isArray(coords) || coords.length !== 3 || !coords.every((c) => typeof c === 'number' && Number.isFinite(c))) {
    throw new Error("nodule:classify: point must be {frame: 'world'|'voxel', coords: [x, y, z]}");
  }
  return { point: { frame: pt.frame, coords: coords as Vec3 }, modelVersion: typeof p.modelVersion === 'string' ? p.modelVersion : undefined };
}

export function register(r: JobRegistry): void {
  r.register('nodule:classify', {
    validate(params, caseId) {
      parse(params);
      if (!caseId) throw new Error('nodule:classify needs a caseId');
    },
    title: (_p, caseId) => `Nodule malignancy — ${caseId}`,
    async run(ctx) {
      const { point, modelVersion } = parse(ctx.params);
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
