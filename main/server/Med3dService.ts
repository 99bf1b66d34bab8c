/**
 * The Node-side implementation of Med3dApi, shared by Electron (IPC) and web mode (WebSocket):
 * volumes (loadVolume, demo phantom), workspace, jobs, models, tasks, files. Every client path
 * goes through PathGuard; every write through the workspace's atomic writes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OpenCaseResult, Med3dApiMethods } from '../../common/api/Med3dApi';
import { ApiEventHub } from '../../common/api/ApiEventHub';
import { ApiError } from '../../common/api/errors';
import type * as R from '../../common/api/requests';
import type { JsonValue } from '../../common/api/schema';
import type {
  AppInfo,
  AppMode,
  CaseSummary,
  DirEntry,
  DirListing,
  EngineBackendInfo,
  FileKind,
  JobInfo,
  LabelData,
  LabelDef,
  LabelVersionInfo,
  ModelVersionInfo,
  NoduleResult,
  RecentItem,
  RecoveryData,
  SeriesListing,
  Vec3,
  VolumeHeader,
  WorkspaceInfo,
  WorkspaceSettings,
} from '../../common/api/types';
import { JobManager } from '../jobs/JobManager';
import { jobRegistry, type JobRegistry } from '../jobs/jobRegistry';
import type { JobServices } from '../jobs/JobServices';
import { loadJobKinds } from '../jobs/loadJobKinds';
import { atomicWriteFile } from '../util/atomicWrite';
import type { Volume } from '../volume/Volume';
import type { LoadVolumeOptions } from '../volume/io/loadVolume';
import { writeNifti } from '../volume/io/nifti/writeNifti';
import { Workspace } from '../workspace/Workspace';
import { isInside } from './isInside';
import { PathGuard } from './PathGuard';
import { RecentFiles } from './RecentFiles';
import { VolumeStore, exactBuffer } from './VolumeStore';

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

const DEMO_FILE = 'demo/ct-phantom.nii.gz';
/** The workspace folder that takes exports (the only part of a workspace clients may write to). */
const EXPORTS_DIR = 'exports';

async function defaultLoadVolume(file: string, opts?: LoadVolumeOptions): Promise<Volume> {
  const { loadVolume } = await import('../volume/io/loadVolume');
  return loadVolume(file, opts);
}

async function defaultDemo(): Promise<DemoScan> {
  const { generateCtPhantom } = await import('../tasks/phantom/ctPhantom');
  const p = generateCtPhantom({ seed: 1 });
  return {
    ct: p.ct,
    labels: [
      { value: 1, name: 'Right lung', color: [220, 80, 80] },
      { value: 2, name: 'Left lung', color: [80, 160, 230] },
    ],
  };
}

function fileKindOf(name: string, isDir: boolean): FileKind | null {
  if (isDir) return null;
  if (/\.(nii|nii\.gz|hdr|img|img\.gz)$/i.test(name)) return 'nifti';
  if (/\.dcm$/i.test(name) || name === 'DICOMDIR') return 'dicom';
  if (/\.(pth|pt|pth\.tar)$/i.test(name)) return 'weights';
  if (/\.m3d$/i.test(name)) return 'checkpoint';
  return 'other';
}

async function looksLikeDicomFolder(dir: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.slice(0, 200).some((n) => /\.dcm$/i.test(n) || n === 'DICOMDIR');
}

export class Med3dService implements Med3dApiMethods {
  readonly events = new ApiEventHub();
  readonly jobs: JobManager;
  readonly guard: PathGuard;
  private ws: Workspace;
  /** Every workspace opened in this session (they remain allowed roots; see checkWritable). */
  private readonly openedWorkspaces = new Set<string>();
  private readonly store = new VolumeStore();
  private readonly recent: RecentFiles;
  private readonly loader: (file: string, opts?: LoadVolumeOptions) => Promise<Volume>;
  private demoPromise: Promise<string> | null = null;

  private constructor(
    private readonly opts: Med3dServiceOptions,
    ws: Workspace,
    guard: PathGuard,
  ) {
    this.ws = ws;
    this.openedWorkspaces.add(ws.root);
    this.guard = guard;
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

  static async create(opts: Med3dServiceOptions): Promise<Med3dService> {
    const svc = await Med3dService.open(opts);
    if (opts.discoverJobKinds ?? true) {
      await loadJobKinds({ registry: opts.registry ?? jobRegistry, tasksDir: opts.tasksDir, onError: (f, e) => opts.log?.(`job module ${f} not loaded: ${(e as Error).message}`) });
    }
    return svc;
  }

  private static async open(opts: Med3dServiceOptions): Promise<Med3dService> {
    const root = path.resolve(opts.workspace);
    const guard = new PathGuard({ roots: [root, ...(opts.roots ?? [])], ...(opts.pathBase ? { base: path.resolve(opts.pathBase) } : {}) });
    // Placeholder events sink until the service exists (Workspace.onChange is fixed at open).
    let svc: Med3dService | null = null;
    const ws = await Workspace.open(root, { create: true, onChange: (e) => svc?.events.emit('workspaceChanged', e) });
    await guard.addRoot(root);
    svc = new Med3dService(opts, ws, guard);
    return svc;
  }

  workspace(): Workspace {
    return this.ws;
  }

  async dispose(): Promise<void> {
    await this.jobs.dispose();
  }

  // ---------- app ----------

  async getAppInfo(): Promise<AppInfo> {
    return {
      name: 'Med3D Workstation',
      version: this.opts.version,
      mode: this.opts.mode,
      backend: this.opts.backendInfo?.() ?? null,
      platform: `${process.platform}-${process.arch}`,
      nativeDialogs: !!this.opts.dialogs,
      workspace: this.ws.root,
      demoAvailable: true,
      initialOpen: this.opts.initialOpen ?? null,
    };
  }

  // ---------- volumes ----------

  /** series: which series of a multi-series DICOM folder (SeriesInfo.key); undefined = the largest. */
  private async loadScan(file: string, series?: string): Promise<Volume> {
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

  private gridOf(vol: Volume): { dims: Vec3; affine: number[]; spacing: Vec3 } {
    return { dims: [...vol.dims] as Vec3, affine: Array.from(vol.affine), spacing: [...vol.spacing] as Vec3 };
  }

  /** Load a scan file, make it a workspace case (once) and register the volume. */
  private async openScanAsCase(file: string, labels?: LabelDef[], name?: string, series?: string): Promise<VolumeHeader> {
    const vol = await this.loadScan(file, series);
    const c = await this.ws.addCase(file, { grid: this.gridOf(vol), ...(name ? { name } : {}), ...(series !== undefined ? { series } : {}) });
    const g = this.ws.caseGrid(c.caseId);
    if (!g || g.dims.some((d, k) => d !== vol.dims[k])) await this.ws.setCaseGrid(c.caseId, this.gridOf(vol));
    return this.store.add(vol, { caseId: c.caseId, source: file, labels: labels ?? this.ws.settings().labels });
  }

  async openVolume(req: R.OpenVolumeRequest): Promise<VolumeHeader> {
    if (req.kind === 'demo') {
      const file = await this.ensureDemoFile();
      return this.openScanAsCase(file, undefined, 'Demo CT phantom');
    }
    const file = await this.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    const header = await this.openScanAsCase(file, undefined, undefined, req.series);
    const st = await fs.stat(file);
    await this.recent.add(file, st.isDirectory() || !/\.(nii|hdr|img)(\.gz)?$/i.test(file) ? 'dicom' : 'nifti');
    return header;
  }

  /** The demo phantom, written once into the workspace so it is a real, reloadable case. */
  private ensureDemoFile(): Promise<string> {
    this.demoPromise ??= (async () => {
      const file = this.ws.abs(DEMO_FILE);
      const exists = await fs.stat(file).then(
        () => true,
        () => false,
      );
      if (!exists) {
        this.events.emit('volumeProgress', { source: 'demo:phantom', progress: 0, message: 'generating the demo CT phantom' });
        const demo = await (this.opts.demo ?? defaultDemo)();
        await writeNifti(file, demo.ct, { compressionLevel: 1 });
      }
      return file;
    })();
    this.demoPromise.catch(() => (this.demoPromise = null));
    return this.demoPromise;
  }

  async getVoxels(req: R.GetVoxelsRequest): Promise<ArrayBuffer> {
    const { vol } = this.store.get(req.volumeId);
    if (req.kStart === undefined && req.kCount === undefined) return exactBuffer(vol.data);
    const nz = vol.dims[2];
    const k0 = req.kStart ?? 0;
    if (k0 >= nz) throw new ApiError('invalid-request', `kStart ${k0} is beyond the volume's ${nz} slices`);
    const k1 = Math.min(nz, k0 + (req.kCount ?? nz - k0));
    const slice = vol.dims[0] * vol.dims[1];
    return exactBuffer(vol.data.subarray(k0 * slice, k1 * slice));
  }

  async listSeries(req: R.ListSeriesRequest): Promise<SeriesListing> {
    const dir = await this.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    if (!(await fs.stat(dir)).isDirectory()) return { path: dir, series: [], skippedFiles: 0 };
    const { listDicomSeries } = await import('../volume/io/dicom/listDicomSeries');
    try {
      return await listDicomSeries(dir);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new ApiError('bad-file', msg.includes(dir) ? msg : `cannot list the series of ${dir}: ${msg}`, dir);
    }
  }

  async closeVolume(req: R.VolumeRef): Promise<void> {
    this.store.close(req.volumeId);
  }

  // ---------- workspace ----------

  async openWorkspace(req: R.OpenWorkspaceRequest): Promise<WorkspaceInfo> {
    const dir = await this.guard.resolve(req.path, { what: 'workspace' });
    const ws = await Workspace.open(dir, { create: req.create ?? false, onChange: (e) => this.events.emit('workspaceChanged', e) });
    this.ws = ws;
    this.openedWorkspaces.add(ws.root);
    this.demoPromise = null;
    await this.guard.addRoot(ws.root);
    await this.recent.add(ws.root, 'workspace');
    this.events.emit('workspaceChanged', { reason: 'opened', root: ws.root });
    return ws.info();
  }

  async getWorkspace(): Promise<WorkspaceInfo | null> {
    return this.ws.info();
  }

  async listCases(): Promise<CaseSummary[]> {
    return this.ws.listCases();
  }

  async addCase(req: R.AddCaseRequest): Promise<CaseSummary> {
    const file = await this.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    return this.ws.addCase(file, { ...(req.name ? { name: req.name } : {}), ...(req.series !== undefined ? { series: req.series } : {}) });
  }

  private async caseVolume(caseId: string): Promise<{ vol: Volume; header: VolumeHeader }> {
    const open = this.store.findByCase(caseId);
    if (open) return open;
    const file = this.ws.caseSource(caseId);
    const vol = await this.loadScan(file, this.ws.caseSeries(caseId));
    const g = this.ws.caseGrid(caseId);
    if (!g || g.dims.some((d, k) => d !== vol.dims[k])) await this.ws.setCaseGrid(caseId, this.gridOf(vol));
    const header = this.store.add(vol, { caseId, source: file, labels: this.ws.settings().labels });
    return { vol, header };
  }

  async openCase(req: R.CaseRef): Promise<OpenCaseResult> {
    const c = await this.ws.getCase(req.caseId);
    const { header } = await this.caseVolume(req.caseId);
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
    return this.ws.adjacentCase(req.caseId, req.direction, req.status);
  }

  async setCaseStatus(req: R.SetCaseStatusRequest): Promise<CaseSummary> {
    return this.ws.setCaseStatus(req.caseId, req.status);
  }

  async listLabelVersions(req: R.CaseRef): Promise<LabelVersionInfo[]> {
    return this.ws.listLabelVersions(req.caseId);
  }

  async saveLabel(req: R.SaveLabelRequest): Promise<LabelVersionInfo> {
    if (!this.ws.caseGrid(req.caseId)) await this.caseVolume(req.caseId);
    const info = await this.ws.saveLabel(req.caseId, new Uint8Array(req.labels), {
      status: req.status,
      note: req.note,
      author: 'user',
      baseVersion: req.baseVersion ?? null,
    });
    this.maybeAutoFineTune(info);
    return info;
  }

  /**
   * Setting 'automatic': a corrected/verified save starts fine-tuning of each task whose labels
   * the save contains (by the workspace label names: '…lung…' → lung, '…liver…' → liver), when the
   * task code registered 'finetune' and that task is not already training.
   */
  private maybeAutoFineTune(info: LabelVersionInfo): void {
    if (this.ws.settings().fineTune !== 'automatic') return;
    if (info.status !== 'corrected' && info.status !== 'verified') return;
    if (!this.jobs.kinds().includes('finetune')) return;
    const defs = this.ws.settings().labels;
    const tasks = new Set<'lung' | 'liver'>();
    for (const value of Object.keys(info.voxelCounts)) {
      const name = defs.find((l) => l.value === Number(value))?.name.toLowerCase() ?? '';
      if (name.includes('lung')) tasks.add('lung');
      if (name.includes('liver')) tasks.add('liver');
    }
    const training = (task: string): boolean =>
      this.jobs.list().some((j) => j.kind === 'finetune' && (j.state === 'queued' || j.state === 'running') && (this.jobs.params(j.id) as { task?: unknown } | null)?.task === task);
    for (const task of tasks) {
      if (training(task)) continue;
      try {
        const title = `Fine-tune ${task} model (automatic, after saving ${info.caseId} v${info.version})`;
        this.jobs.start({ kind: 'finetune', params: { task, trigger: 'save' }, caseId: info.caseId, title });
      } catch (err) {
        this.opts.log?.(`automatic fine-tuning of ${task} not started: ${(err as Error).message}`);
      }
    }
  }

  async loadLabel(req: R.LoadLabelRequest): Promise<LabelData | null> {
    const l = await this.ws.loadLabel(req.caseId, req.version);
    if (!l) return null;
    return { version: l.info, labels: exactBuffer(l.labels), dims: l.dims };
  }

  async saveRecovery(req: R.SaveRecoveryRequest): Promise<void> {
    let g = this.ws.caseGrid(req.caseId);
    if (!g) {
      await this.caseVolume(req.caseId);
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

  /**
   * Writes from clients (exports, job outputs) may go anywhere inside the allowed folders except
   * into a workspace's own files: inside any workspace this service has opened (they stay
   * allowed roots) only its exports/ folder is writable, so no request can replace
   * med3d-workspace.json, a label version or a checkpoint. `abs` is a real path (PathGuard).
   */
  private async checkWritable(abs: string, what: string): Promise<void> {
    for (const ws of this.openedWorkspaces) {
      const root = await fs.realpath(ws).catch(() => ws);
      const exportsDir = path.join(root, EXPORTS_DIR);
      if (isInside(abs, root) && !(abs !== exportsDir && isInside(abs, exportsDir))) {
        throw new ApiError('forbidden-path', `${what} ${abs} is inside the workspace ${root}: only its ${EXPORTS_DIR}/ folder takes exports`, abs);
      }
    }
  }

  /** `<workspace>/exports/<case>-v0001.nii.gz`, or -2, -3… when that name is taken (exports never replace files silently). */
  private async freeExportName(base: string, ext: string): Promise<string> {
    for (let n = 1; ; n++) {
      const file = this.ws.abs(`${EXPORTS_DIR}/${base}${n === 1 ? '' : `-${n}`}${ext}`);
      if (!(await fs.lstat(file).catch(() => null))) return file;
    }
  }

  async exportLabel(req: R.ExportLabelRequest): Promise<{ path: string }> {
    const versions = this.ws.listLabelVersions(req.caseId);
    const v = req.version === undefined ? versions.at(-1) : versions.find((x) => x.version === req.version);
    if (!v) throw new ApiError('not-found', `case ${req.caseId} has no label version ${req.version ?? '(none saved yet)'}`);
    const ext = req.format === 'dicom-seg' ? '.seg.dcm' : '.nii.gz';
    let dest: string;
    if (req.path) {
      dest = await this.guard.resolve(req.path, { what: 'export destination' });
      await this.checkWritable(dest, 'export destination');
      if (!req.overwrite && (await fs.lstat(dest).catch(() => null))) {
        throw new ApiError('invalid-request', `export destination ${dest} already exists: choose another name or pass overwrite: true`, dest);
      }
    } else {
      dest = await this.freeExportName(`${req.caseId}-v${String(v.version).padStart(4, '0')}`, ext);
    }
    if (req.format === 'nifti') {
      // The stored version already is a NIfTI on the source grid: export is a copy. noReplace
      // closes the gap between the existence check above and the write.
      await atomicWriteFile(dest, await fs.readFile(this.ws.abs(v.file)), { noReplace: !req.overwrite }).catch((err: unknown) => {
        throw new ApiError('bad-file', `cannot export ${dest}: ${(err as Error).message}`, dest);
      });
      return { path: dest };
    }
    const label = await this.ws.loadLabel(req.caseId, v.version);
    const grid = this.ws.caseGrid(req.caseId);
    if (!label || !grid) throw new ApiError('not-found', `case ${req.caseId}: label version ${v.version} or its grid is missing`);
    const { vol } = await this.caseVolume(req.caseId);
    const { writeDicomSeg } = await import('../volume/io/seg/writeDicomSeg');
    try {
      await writeDicomSeg(dest, this.ws.labelMap(label.labels, grid), { source: vol, algorithmType: 'SEMIAUTOMATIC', algorithmName: 'Med3D Workstation', seriesDescription: `Med3D ${req.caseId} v${v.version}` });
    } catch (err) {
      throw new ApiError('bad-file', `cannot export ${dest}: ${(err as Error).message}`, dest);
    }
    return { path: dest };
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

  // ---------- jobs ----------

  async startJob(req: R.StartJobRequest): Promise<{ jobId: string }> {
    if (req.caseId) await this.ws.getCase(req.caseId);
    return { jobId: await this.jobs.submit({ kind: req.kind, params: req.params ?? null, caseId: req.caseId, title: req.title }) };
  }

  async cancelJob(req: R.JobRef): Promise<void> {
    this.jobs.cancel(req.jobId);
  }

  async getJob(req: R.JobRef): Promise<JobInfo> {
    return this.jobs.get(req.jobId);
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.jobs.list();
  }

  async listJobKinds(): Promise<string[]> {
    return this.jobs.kinds();
  }

  // ---------- models ----------

  async listModels(req: R.ListModelsRequest): Promise<ModelVersionInfo[]> {
    return this.ws.listModels(req.task);
  }

  async importWeights(req: R.ImportWeightsRequest): Promise<ModelVersionInfo> {
    const file = await this.guard.resolve(req.path, { mustExist: true, what: 'weights file' });
    // Parse before copying: a wrong or corrupt file is refused with the reader's message (names the file).
    const { loadWeights } = await import('../engine/weights/loadWeights');
    let backbone: string;
    let kind: 'pth' | 'med3d';
    try {
      const w = await loadWeights(file);
      backbone = `resnet${w.spec.backbone.depth}`;
      kind = w.kind;
    } catch (err) {
      throw new ApiError('bad-file', err instanceof Error ? err.message : String(err), file);
    }
    const rec = await this.ws.importModelFile(
      file,
      { task: req.task, backbone, parent: null, origin: 'import', trainingCases: [], metrics: {}, note: req.note ?? path.basename(file) },
      { activate: req.activate ?? true, ext: kind === 'med3d' ? 'm3d' : 'pth' },
    );
    await this.recent.add(file, 'weights');
    return rec;
  }

  async activateModel(req: R.ActivateModelRequest): Promise<ModelVersionInfo> {
    return this.ws.activateModel(req.task, req.versionId);
  }

  // ---------- tasks ----------

  private requireKind(kind: string, what: string): void {
    if (!this.jobs.kinds().includes(kind)) throw new ApiError('unsupported', `${what} is not available: no '${kind}' job kind is registered (task modules missing from this build)`);
  }

  async runTask(req: R.RunTaskRequest): Promise<{ jobId: string }> {
    this.requireKind('predict', `${req.task} segmentation`);
    await this.ws.getCase(req.caseId);
    const params: JsonValue = req.modelVersion ? { task: req.task, modelVersion: req.modelVersion } : { task: req.task };
    return { jobId: this.jobs.start({ kind: 'predict', params, caseId: req.caseId }) };
  }

  async fineTune(req: R.FineTuneRequest): Promise<{ jobId: string }> {
    this.requireKind('finetune', 'fine-tuning');
    const params: { [k: string]: JsonValue } = { task: req.task, trigger: 'manual' };
    if (req.caseIds) params.caseIds = req.caseIds;
    if (req.steps) params.steps = req.steps;
    return { jobId: this.jobs.start({ kind: 'finetune', params }) };
  }

  async classifyNodule(req: R.ClassifyNoduleRequest): Promise<NoduleResult> {
    this.requireKind('nodule:classify', 'nodule classification');
    await this.ws.getCase(req.caseId);
    const params: { [k: string]: JsonValue } = { point: { frame: req.point.frame, coords: req.point.coords } };
    if (req.modelVersion) params.modelVersion = req.modelVersion;
    const job = await this.jobs.wait(this.jobs.start({ kind: 'nodule:classify', params, caseId: req.caseId }));
    if (job.state !== 'done') throw new ApiError(job.error?.code ?? 'internal', job.error?.message ?? `nodule classification ${job.state}`, job.error?.file);
    const r = job.result as { probability?: unknown; centerVoxel?: unknown; centerWorld?: unknown; patchVolumeId?: unknown; modelVersion?: unknown } | null;
    if (!r || typeof r.probability !== 'number' || typeof r.patchVolumeId !== 'string') throw new ApiError('internal', 'nodule classification returned no probability/patch');
    return {
      probability: r.probability,
      label: r.probability >= 0.5 ? 'malignant' : 'benign',
      patch: structuredClone(this.store.get(r.patchVolumeId).header),
      centerVoxel: r.centerVoxel as Vec3,
      centerWorld: r.centerWorld as Vec3,
      modelVersion: typeof r.modelVersion === 'string' ? r.modelVersion : null,
    };
  }

  // ---------- files ----------

  async listRecent(): Promise<RecentItem[]> {
    return this.recent.list();
  }

  async listDirectory(req: R.ListDirectoryRequest): Promise<DirListing> {
    const roots = this.guard.listRoots();
    if (!req.path) {
      const entries: DirEntry[] = roots.map((r) => ({ name: r, path: r, isDirectory: true, size: 0, kind: null }));
      return { path: null, parent: null, roots, entries };
    }
    const dir = await this.guard.resolve(req.path, { mustExist: true, what: 'folder' });
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new ApiError('invalid-request', `${dir} is not a folder`, dir);
    const dirents = await fs.readdir(dir, { withFileTypes: true });
    const entries: DirEntry[] = [];
    for (const d of dirents) {
      if (!req.showHidden && d.name.startsWith('.')) continue;
      if (entries.length >= 5000) break;
      const p = path.join(dir, d.name);
      const s = await fs.stat(p).catch(() => null);
      if (!s) continue;
      const isDirectory = s.isDirectory();
      const kind = isDirectory ? ((await looksLikeDicomFolder(p)) ? 'dicom' : null) : fileKindOf(d.name, false);
      entries.push({ name: d.name, path: p, isDirectory, size: isDirectory ? 0 : s.size, kind });
    }
    entries.sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || a.name.localeCompare(b.name));
    const up = path.dirname(dir);
    const parent = up !== dir && (await this.guard.isAllowed(up)) ? up : null;
    return { path: dir, parent, roots, entries };
  }

  async chooseFile(req: R.ChooseFileRequest): Promise<{ path: string } | null> {
    if (!this.opts.dialogs) throw new ApiError('unsupported', 'native dialogs exist only in the desktop app; use listDirectory in web mode');
    const chosen = await this.opts.dialogs.choose(req.purpose);
    if (!chosen) return null;
    return { path: await this.guard.grant(chosen) };
  }
}
