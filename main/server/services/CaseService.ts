import type { OpenCaseResult } from '../../../common/api/Med3dApi';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { CaseSummary, LabelData, LabelVersionInfo, RecoveryData, Vec3, WorkspaceInfo, WorkspaceSettings } from '../../../common/api/types';
import { Workspace } from '../../workspace/Workspace';
import { exactBuffer } from '../VolumeStore';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/** The workspace and its cases: open/switch, case list and status, label versions, recovery, settings. */
export class CaseService implements SliceOf<'cases'> {
  constructor(
    private readonly ctx: ServiceContext,
    /** Called after every saved label version (the automatic fine-tune policy listens). */
    private readonly onLabelSaved: (info: LabelVersionInfo) => void,
  ) {}

  private get ws(): Workspace {
    return this.ctx.workspace();
  }

  async openWorkspace(req: R.OpenWorkspaceRequest): Promise<WorkspaceInfo> {
    const { ctx } = this;
    const dir = await ctx.guard.resolve(req.path, { what: 'workspace' });
    const ws = await Workspace.open(dir, { create: req.create ?? false, onChange: (e) => ctx.events.emit('workspaceChanged', e) });
    ctx.setWorkspace(ws);
    await ctx.guard.addRoot(ws.root);
    await ctx.recent.add(ws.root, 'workspace');
    ctx.events.emit('workspaceChanged', { reason: 'opened', root: ws.root });
    // Jobs this workspace's last session left unfinished appear in the jobs list, ready to resume.
    for (const j of ctx.jobs.list()) if (j.state === 'interrupted') ctx.events.emit('jobUpdate', j);
    return ws.info();
  }

  async getWorkspace(): Promise<WorkspaceInfo | null> {
    return this.ws.info();
  }

  async listCases(): Promise<CaseSummary[]> {
    return this.ws.listCases();
  }

  async addCase(req: R.AddCaseRequest): Promise<CaseSummary> {
    const file = await this.ctx.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    return this.ws.addCase(file, { ...(req.name ? { name: req.name } : {}), ...(req.series !== undefined ? { series: req.series } : {}) });
  }

  async openCase(req: R.CaseRef): Promise<OpenCaseResult> {
    const c = await this.ws.getCase(req.caseId);
    const { header } = await this.ctx.caseVolume(req.caseId);
    const versions = this.ws.listLabelVersions(req.caseId);
    const rec = c.hasRecovery ? await this.ws.loadRecovery(req.caseId).catch(() => null) : null;
    return {
      case: c,
      volume: structuredClone(header),
      latestLabel: versions.length ? versions[versions.length - 1] : null,
      recovery: rec ? { savedAt: rec.savedAt, baseVersion: rec.baseVersion } : null,
    };
  }

  async adjacentCase(req: R.AdjacentCaseRequest): Promise<CaseSummary | null> {
    return this.ws.adjacentCase(req.caseId, req.direction, req.status, req.order);
  }

  async setCaseStatus(req: R.SetCaseStatusRequest): Promise<CaseSummary> {
    return this.ws.setCaseStatus(req.caseId, req.status);
  }

  async listLabelVersions(req: R.CaseRef): Promise<LabelVersionInfo[]> {
    return this.ws.listLabelVersions(req.caseId);
  }

  async saveLabel(req: R.SaveLabelRequest): Promise<LabelVersionInfo> {
    if (!this.ws.caseGrid(req.caseId)) await this.ctx.caseVolume(req.caseId);
    const info = await this.ws.saveLabel(req.caseId, new Uint8Array(req.labels), {
      status: req.status,
      note: req.note,
      author: 'user',
      baseVersion: req.baseVersion ?? null,
    });
    this.onLabelSaved(info);
    return info;
  }

  async loadLabel(req: R.LoadLabelRequest): Promise<LabelData | null> {
    const l = await this.ws.loadLabel(req.caseId, req.version);
    if (!l) return null;
    return { version: l.info, labels: exactBuffer(l.labels), dims: l.dims };
  }

  async saveRecovery(req: R.SaveRecoveryRequest): Promise<void> {
    let g = this.ws.caseGrid(req.caseId);
    if (!g) {
      await this.ctx.caseVolume(req.caseId);
      g = this.ws.caseGrid(req.caseId);
    }
    await this.ws.saveRecovery(req.caseId, new Uint8Array(req.labels), (g?.dims ?? [0, 0, 0]) as Vec3, req.baseVersion);
  }

  async loadRecovery(req: R.CaseRef): Promise<RecoveryData | null> {
    const r = await this.ws.loadRecovery(req.caseId);
    if (!r) return null;
    return { caseId: req.caseId, labels: exactBuffer(r.labels), dims: r.dims, baseVersion: r.baseVersion, savedAt: r.savedAt };
  }

  async discardRecovery(req: R.CaseRef): Promise<void> {
    await this.ws.discardRecovery(req.caseId);
  }

  async getSettings(): Promise<WorkspaceSettings> {
    return this.ws.settings();
  }

  async updateSettings(req: R.UpdateSettingsRequest): Promise<WorkspaceSettings> {
    if (req.labels) {
      const seen = new Set<number>();
      for (const l of req.labels) {
        if (seen.has(l.value)) throw new ApiError('invalid-request', `labels: value ${l.value} appears twice`);
        seen.add(l.value);
      }
    }
    return this.ws.updateSettings(req);
  }
}
