/**
 * What the domain services share: the open workspace (switched by openWorkspace), the path guard,
 * the open volumes, recent files, the event hub and the job manager. One per Med3dService; the
 * services hold it instead of each other, so none of them reaches into another's state.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiEventHub } from '../../../common/api/ApiEventHub';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { AppInfo, AppMode, EngineBackendInfo, LabelDef, Vec3, VolumeHeader } from '../../../common/api/types';
import { JobManager } from '../../jobs/JobManager';
import { jobRegistry, type JobRegistry } from '../../jobs/jobRegistry';
import type { JobServices } from '../../jobs/JobServices';
import type { Volume } from '../../volume/Volume';
import type { LoadVolumeOptions } from '../../volume/io/loadVolume';
import type { Workspace } from '../../workspace/Workspace';
import { isInside } from '../isInside';
import type { PathGuard } from '../PathGuard';
import { RecentFiles } from '../RecentFiles';
import { VolumeStore } from '../VolumeStore';

export interface DemoScan {
  ct: Volume;
  labels: LabelDef[];
}

export interface NativeDialogs {
  /** Show an open/save dialog; resolves with the chosen absolute path or null. */
  choose(purpose: R.ChooseFileRequest['purpose']): Promise<string | null>;
}

export interface Med3dServiceOptions {
  mode: AppMode;
  version: string;
  /** Workspace folder opened at start (created when missing). */
  workspace: string;
  /** Extra folders the client may read from and write to (web mode `--root`). */
  roots?: string[];
  /**
   * Relative paths in requests resolve against this folder (`med3d call`: its working
   * directory). Without it, relative paths are refused (UI and web clients send absolute ones).
   */
  pathBase?: string;
  /** Folder for app state such as recent files; null keeps nothing. */
  configDir?: string | null;
  initialOpen?: AppInfo['initialOpen'];
  /** Engine backend report for getAppInfo (null until the engine started). */
  backendInfo?: () => EngineBackendInfo | null;
  dialogs?: NativeDialogs;
  /** Scan loader (default: main/volume/io/loadVolume). */
  loadVolume?: (file: string, opts?: LoadVolumeOptions) => Promise<Volume>;
  /** Demo scan generator (default: the CT phantom of main/tasks/phantom). */
  demo?: () => Promise<DemoScan>;
  registry?: JobRegistry;
  /** Import main/tasks/**\/*.job.ts at start (default true). */
  discoverJobKinds?: boolean;
  /** Where the job modules are (bundled builds: out/main/tasks). */
  tasksDir?: string;
  /** Engine worker entry for bundled builds (see JobServices.engineWorkerEntry). */
  engineWorkerEntry?: string;
  log?: (msg: string) => void;
}

/** The workspace folder that takes exports (the only part of a workspace clients may write to). */
export const EXPORTS_DIR = 'exports';

async function defaultLoadVolume(file: string, opts?: LoadVolumeOptions): Promise<Volume> {
  const { loadVolume } = await import('../../volume/io/loadVolume');
  return loadVolume(file, opts);
}

export class ServiceContext {
  readonly events = new ApiEventHub();
  readonly jobs: JobManager;
  readonly store = new VolumeStore();
  readonly recent: RecentFiles;
  private ws: Workspace;
  /** Every workspace opened in this session (they remain allowed roots; see checkWritable). */
  private readonly openedWorkspaces = new Set<string>();
  private readonly loader: (file: string, opts?: LoadVolumeOptions) => Promise<Volume>;

  constructor(
    readonly opts: Med3dServiceOptions,
    ws: Workspace,
    readonly guard: PathGuard,
  ) {
    this.ws = ws;
    this.openedWorkspaces.add(ws.root);
    this.loader = opts.loadVolume ?? defaultLoadVolume;
    this.recent = new RecentFiles(opts.configDir ? path.join(opts.configDir, 'recent.json') : null);
    const services: JobServices = {
      workspace: () => this.ws,
      loadCaseVolume: async (caseId) => (await this.caseVolume(caseId)).vol,
      registerVolume: (vol, o) => this.store.add(vol, o),
      startJob: (kind, params, o) => this.jobs.start({ kind, params: params ?? null, ...o }),
      ...(opts.engineWorkerEntry ? { engineWorkerEntry: opts.engineWorkerEntry } : {}),
    };
    this.jobs = new JobManager({
      registry: opts.registry ?? jobRegistry,
      services,
      paths: { resolve: (p, o) => this.guard.resolve(p, o), checkWrite: (abs, what) => this.checkWritable(abs, what) },
      onUpdate: (j) => this.events.emit('jobUpdate', j),
    });
  }

  workspace(): Workspace {
    return this.ws;
  }

  /** Switch to another workspace; the earlier ones stay protected by checkWritable. */
  setWorkspace(ws: Workspace): void {
    this.ws = ws;
    this.openedWorkspaces.add(ws.root);
  }

  /**
   * Writes from clients (exports, job outputs) may go anywhere inside the allowed folders except
   * into a workspace's own files: inside any workspace this service has opened (they stay
   * allowed roots) only its exports/ folder is writable, so no request can replace
   * med3d-workspace.json, a label version or a checkpoint. `abs` is a real path (PathGuard).
   */
  async checkWritable(abs: string, what: string): Promise<void> {
    for (const ws of this.openedWorkspaces) {
      const root = await fs.realpath(ws).catch(() => ws);
      const exportsDir = path.join(root, EXPORTS_DIR);
      if (isInside(abs, root) && !(abs !== exportsDir && isInside(abs, exportsDir))) {
        throw new ApiError('forbidden-path', `${what} ${abs} is inside the workspace ${root}: only its ${EXPORTS_DIR}/ folder takes exports`, abs);
      }
    }
  }

  /** series: which series of a multi-series DICOM folder (SeriesInfo.key); undefined = the largest. */
  async loadScan(file: string, series?: string): Promise<Volume> {
    this.events.emit('volumeProgress', { source: file, progress: 0, message: `loading ${path.basename(file)}` });
    try {
      const vol = await this.loader(file, series !== undefined ? { dicom: { seriesInstanceUID: series } } : undefined);
      this.events.emit('volumeProgress', { source: file, progress: 1, message: 'loaded' });
      return vol;
    } catch (err) {
      this.events.emit('volumeProgress', { source: file, progress: 1, message: 'failed' });
      const msg = err instanceof Error ? err.message : String(err);
      throw new ApiError('bad-file', msg.includes(file) ? msg : `cannot read ${file}: ${msg}`, file);
    }
  }

  gridOf(vol: Volume): { dims: Vec3; affine: number[]; spacing: Vec3 } {
    return { dims: [...vol.dims] as Vec3, affine: Array.from(vol.affine), spacing: [...vol.spacing] as Vec3 };
  }

  /** The case's scan: the open volume, or loaded from its source (grid recorded on first load). */
  async caseVolume(caseId: string): Promise<{ vol: Volume; header: VolumeHeader }> {
    const open = this.store.findByCase(caseId);
    if (open) return open;
    const file = this.ws.caseSource(caseId);
    const vol = await this.loadScan(file, this.ws.caseSeries(caseId));
    const g = this.ws.caseGrid(caseId);
    if (!g || g.dims.some((d, k) => d !== vol.dims[k])) await this.ws.setCaseGrid(caseId, this.gridOf(vol));
    const header = this.store.add(vol, { caseId, source: file, labels: this.ws.settings().labels });
    return { vol, header };
  }
}
