import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { NoduleCandidate, NoduleMark, Vec3 } from '../../../common/api/types';
import { findNoduleCandidate } from '../../tasks/nodule/findNoduleCandidate';
import { applyAffine, invert } from '../../volume/geometry/affine';
import type { Volume } from '../../volume/Volume';
import { addNoduleMark, listNoduleMarks, removeNoduleMark, updateNoduleMark } from '../../workspace/noduleMarks';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/**
 * Nodule marks on cases (the nodule classifier's training items): the candidate under a click,
 * marks added as that candidate or as a drawn sphere, their class (benign/malignant or LIDC 1–5),
 * listed, changed and removed. Stored in the workspace manifest (workspace/noduleMarks.ts).
 */
export class NoduleService implements SliceOf<'nodules'> {
  constructor(private readonly ctx: ServiceContext) {}

  /** The point in both frames of the case's scan. */
  private static both(vol: Volume, p: R.FindNoduleCandidateRequest['point']): { world: Vec3; voxel: Vec3 } {
    return p.frame === 'world' ? { world: p.coords, voxel: applyAffine(invert(vol.affine), p.coords) } : { world: applyAffine(vol.affine, p.coords), voxel: p.coords };
  }

  private static outside(vol: Volume, voxel: Vec3): boolean {
    return voxel.some((x, a) => x < -0.5 || x > vol.dims[a] - 0.5);
  }

  async findNoduleCandidate(req: R.FindNoduleCandidateRequest): Promise<NoduleCandidate | null> {
    await this.ctx.workspace().getCase(req.caseId);
    const { vol } = await this.ctx.caseVolume(req.caseId);
    const { voxel } = NoduleService.both(vol, req.point);
    if (NoduleService.outside(vol, voxel)) throw new ApiError('invalid-request', `point ${req.point.coords.join(', ')} (${req.point.frame}) is outside the scan of ${req.caseId}`);
    return findNoduleCandidate(vol, voxel);
  }

  async addNoduleMark(req: R.AddNoduleMarkRequest): Promise<NoduleMark> {
    const ws = this.ctx.workspace();
    await ws.getCase(req.caseId);
    const { vol } = await this.ctx.caseVolume(req.caseId);
    const at = NoduleService.both(vol, req.center);
    if (NoduleService.outside(vol, at.voxel)) throw new ApiError('invalid-request', `nodule centre ${req.center.coords.join(', ')} (${req.center.frame}) is outside the scan of ${req.caseId}`);
    const cls = { ...(req.malignancy !== undefined ? { malignancy: req.malignancy } : {}), ...(req.label ? { label: req.label } : {}) };
    if (req.radiusMm !== undefined) return addNoduleMark(ws, req.caseId, { centerWorld: at.world, centerVoxel: at.voxel, radiusMm: req.radiusMm, shape: 'sphere', ...cls });
    const c = findNoduleCandidate(vol, at.voxel);
    if (!c) throw new ApiError('not-found', `no nodule at ${at.voxel.map((x) => x.toFixed(1)).join(', ')} (voxel) of ${req.caseId}: nothing denser than -400 HU within 5 mm; draw a sphere instead (give radiusMm)`);
    return addNoduleMark(ws, req.caseId, { centerWorld: c.centerWorld, centerVoxel: c.centerVoxel, radiusMm: c.radiusMm, shape: 'candidate', ...cls });
  }

  async updateNoduleMark(req: R.UpdateNoduleMarkRequest): Promise<NoduleMark> {
    const { caseId, markId, ...patch } = req;
    return updateNoduleMark(this.ctx.workspace(), caseId, markId, patch);
  }

  async listNoduleMarks(req: R.ListNoduleMarksRequest): Promise<NoduleMark[]> {
    return listNoduleMarks(this.ctx.workspace(), req.caseId);
  }

  async removeNoduleMark(req: R.NoduleMarkRef): Promise<void> {
    await removeNoduleMark(this.ctx.workspace(), req.caseId, req.markId);
  }
}
