import type { Med3dApi, ModelVersionInfo, RunTaskRequest, TaskName } from '../../common/api';
import { downloadBytes } from './downloadBytes';
import type { Notices } from './Notices.svelte';

export type ModelExportFormat = 'm3d' | 'pth';

/**
 * The models panel's state and actions: the task's versions (newest first), activate / roll
 * back, delete, export (Electron: save dialog; web: exported into the workspace's exports/ folder,
 * then downloaded by the browser through readExport) and weights import. After an activation the
 * panel offers to predict the open case with the version now active (rollback restores its
 * predictions: runTask uses the active version).
 */
export class ModelsController {
  task: TaskName = $state('lung');
  models: ModelVersionInfo[] = $state([]);
  /** Version being worked on (buttons disabled meanwhile). */
  busy: string | null = $state(null);
  /** A version just activated for a task the open case can be segmented with. */
  justActivated: { task: RunTaskRequest['task']; versionId: string } | null = $state(null);

  constructor(
    private readonly api: Med3dApi,
    private readonly notices: Notices,
    private readonly mode: 'electron' | 'web',
  ) {}

  async refresh(): Promise<void> {
    try {
      const list = await this.api.listModels({ task: this.task });
      this.models = [...list].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    } catch (e) {
      this.notices.fail(e, 'Models');
    }
  }

  setTask(task: TaskName): void {
    this.task = task;
    this.justActivated = null;
    void this.refresh();
  }

  private async act(m: ModelVersionInfo, what: string, fn: () => Promise<void>): Promise<void> {
    this.busy = m.versionId;
    try {
      await fn();
    } catch (e) {
      this.notices.fail(e, `${what} ${m.versionId}`);
    } finally {
      this.busy = null;
      await this.refresh();
    }
  }

  activate(m: ModelVersionInfo): Promise<void> {
    return this.act(m, 'Activate', async () => {
      const before = this.models.find((x) => x.active)?.versionId;
      await this.api.activateModel({ task: m.task, versionId: m.versionId });
      this.notices.notify('info', `${m.versionId} is now the active ${m.task} model${before ? ` (was ${before})` : ''}`);
      this.justActivated = m.task === 'nodule' ? null : { task: m.task, versionId: m.versionId };
    });
  }

  remove(m: ModelVersionInfo): Promise<void> {
    return this.act(m, 'Delete', async () => {
      await this.api.deleteModel({ versionId: m.versionId });
      this.notices.notify('info', `Deleted model version ${m.versionId}`);
    });
  }

  exportAs(m: ModelVersionInfo, format: ModelExportFormat): Promise<void> {
    return this.act(m, 'Export', async () => {
      if (this.mode === 'electron') {
        const chosen = await this.api.chooseFile({ purpose: 'export-model' });
        if (!chosen) return;
        // The save dialog already asked before replacing a file.
        const { path } = await this.api.exportModel({ versionId: m.versionId, format, path: chosen.path, overwrite: true });
        this.notices.notify('info', `Exported ${m.versionId} to ${path}`);
        return;
      }
      const { path } = await this.api.exportModel({ versionId: m.versionId, format });
      const bytes = await this.api.readExport({ path });
      downloadBytes(bytes, `${m.versionId}.${format}`);
      this.notices.notify('info', `Downloaded ${m.versionId}.${format}`);
    });
  }

  /** Returns the new version, or null when the import failed (the notice says why). */
  async importWeights(req: { path: string; task: TaskName; note?: string; activate: boolean }): Promise<ModelVersionInfo | null> {
    try {
      const m = await this.api.importWeights({ path: req.path, task: req.task, activate: req.activate, ...(req.note ? { note: req.note } : {}) });
      this.notices.notify('info', `Imported ${m.versionId} (${m.backbone})${m.active ? ', now active' : ''}`);
      this.task = req.task;
      await this.refresh();
      return m;
    } catch (e) {
      this.notices.fail(e, 'Import weights');
      return null;
    }
  }
}
