/**
 * The one typed contract between the UI (renderer) and the Node side (engine, volumes,
 * workspace, jobs). The service implements Med3dApiMethods; the renderer gets a proxy of the
 * same type from createApiClient(transport), over Electron IPC or WebSocket alike.
 *
 * Every method takes at most one plain-data argument and returns a Promise of plain data;
 * voxel and label arrays travel as ArrayBuffer. Errors arrive as ApiError (code, message, file).
 */
import type * as R from './requests';
import { v, type Schema } from './schema';
import * as S from './requests';
import type {
  AppInfo,
  ImportDatasetResult,
  ImportLabelResult,
  CaseSummary,
  DirListing,
  JobInfo,
  LabelData,
  LabelVersionInfo,
  MenuCommandEvent,
  ModelVersionInfo,
  NoduleCandidate,
  NoduleMark,
  NoduleResult,
  RecentItem,
  RecoveryData,
  SeriesListing,
  VolumeHeader,
  VolumeProgressEvent,
  WorkspaceChangedEvent,
  WorkspaceInfo,
  WorkspaceSettings,
} from './types';

export interface OpenCaseResult {
  case: CaseSummary;
  volume: VolumeHeader;
  /** Latest saved label version (load it with loadLabel), or null. */
  latestLabel: LabelVersionInfo | null;
  /** Unsaved edits from a previous session (load with loadRecovery), or null. */
  recovery: { savedAt: string; baseVersion: number | null } | null;
}

export interface Med3dApiMethods {
  // ---- app ----
  getAppInfo(): Promise<AppInfo>;

  // ---- volumes ----
  /** Load a NIfTI file / DICOM folder (path) or the bundled demo phantom. */
  openVolume(req: R.OpenVolumeRequest): Promise<VolumeHeader>;
  /**
   * Raw voxels of an open volume in header.dtype, i fastest (little-endian): the whole volume, or
   * the k-slices kStart..kStart+kCount-1 (clipped to the volume) to load progressively.
   */
  getVoxels(req: R.GetVoxelsRequest): Promise<ArrayBuffer>;
  /** The image series of a DICOM folder (headers only), to let the user choose one; empty for a file. */
  listSeries(req: R.ListSeriesRequest): Promise<SeriesListing>;
  closeVolume(req: R.VolumeRef): Promise<void>;

  // ---- workspace ----
  openWorkspace(req: R.OpenWorkspaceRequest): Promise<WorkspaceInfo>;
  getWorkspace(): Promise<WorkspaceInfo | null>;
  listCases(): Promise<CaseSummary[]>;
  addCase(req: R.AddCaseRequest): Promise<CaseSummary>;
  /** Loads the case's scan (as openVolume) and says which label/recovery exists. */
  openCase(req: R.CaseRef): Promise<OpenCaseResult>;
  /**
   * Next/previous case in list order (optionally with a given status); null at the end. order
   * 'uncertainty' ("Next to correct"): 'next' is the most uncertain case not yet corrected or
   * verified other than caseId ('previous' the least; unscored cases rank last).
   */
  adjacentCase(req: R.AdjacentCaseRequest): Promise<CaseSummary | null>;
  setCaseStatus(req: R.SetCaseStatusRequest): Promise<CaseSummary>;
  listLabelVersions(req: R.CaseRef): Promise<LabelVersionInfo[]>;
  /** Saves a NEW label version (never overwrites) and clears the recovery file. */
  saveLabel(req: R.SaveLabelRequest): Promise<LabelVersionInfo>;
  /** A given version, or the latest when omitted; null when the case has no label yet. */
  loadLabel(req: R.LoadLabelRequest): Promise<LabelData | null>;
  /** Autosave of unsaved edits (one recovery file per case, atomically replaced). */
  saveRecovery(req: R.SaveRecoveryRequest): Promise<void>;
  loadRecovery(req: R.CaseRef): Promise<RecoveryData | null>;
  discardRecovery(req: R.CaseRef): Promise<void>;
  exportLabel(req: R.ExportLabelRequest): Promise<{ path: string }>;
  /** The bytes of a file in the open workspace's exports/ folder (web mode's downloads). */
  readExport(req: R.ReadExportRequest): Promise<ArrayBuffer>;
  /** A NIfTI mask or DICOM SEG as a new label version of the case (resampled by label vote onto its grid, values mapped by name). */
  importLabel(req: R.ImportLabelRequest): Promise<ImportLabelResult>;
  /** A labelled dataset folder (MSD / nnU-Net / images+labels) as cases with status verified. */
  importDataset(req: R.ImportDatasetRequest): Promise<ImportDatasetResult>;
  getSettings(): Promise<WorkspaceSettings>;
  updateSettings(req: R.UpdateSettingsRequest): Promise<WorkspaceSettings>;

  // ---- jobs ----
  startJob(req: R.StartJobRequest): Promise<{ jobId: string }>;
  cancelJob(req: R.JobRef): Promise<void>;
  getJob(req: R.JobRef): Promise<JobInfo>;
  listJobs(): Promise<JobInfo[]>;
  /** Continue an interrupted resumable job (state 'interrupted', e.g. fine-tuning after a crash) from its last checkpoint, under the same id. */
  resumeJob(req: R.JobRef): Promise<{ jobId: string }>;
  /** Registered job kinds (e.g. 'predict', 'finetune', 'batch'). */
  listJobKinds(): Promise<string[]>;

  // ---- models ----
  listModels(req: R.ListModelsRequest): Promise<ModelVersionInfo[]>;
  /** Copies a .pth / checkpoint into the workspace as a new model version. */
  importWeights(req: R.ImportWeightsRequest): Promise<ModelVersionInfo>;
  /** Make a version the task's active model (one-click rollback). */
  activateModel(req: R.ActivateModelRequest): Promise<ModelVersionInfo>;
  /** Delete an inactive version (manifest entry and checkpoint); the active one is refused. Returns what was deleted. */
  deleteModel(req: R.DeleteModelRequest): Promise<ModelVersionInfo>;
  /**
   * Write a version as our .m3d checkpoint or a PyTorch .pth with MedicalNet keys
   * ({'state_dict': {'module.<key>': tensor}}); default destination <workspace>/exports/<versionId>.<format>.
   */
  exportModel(req: R.ExportModelRequest): Promise<{ path: string }>;

  // ---- tasks ----
  /** Segmentation on a case; the job's result is the new label version. */
  runTask(req: R.RunTaskRequest): Promise<{ jobId: string }>;
  /** Fine-tune the task's model on corrected cases (the 'finetune' job kind). */
  fineTune(req: R.FineTuneRequest): Promise<{ jobId: string }>;
  classifyNodule(req: R.ClassifyNoduleRequest): Promise<NoduleResult>;

  // ---- nodule marks (training items of the nodule classifier) ----
  /** The nodule under a point (region grown on CT values): centre and radius; null when nothing dense is near. */
  findNoduleCandidate(req: R.FindNoduleCandidateRequest): Promise<NoduleCandidate | null>;
  /** Mark a nodule: a drawn sphere (radiusMm), or the candidate under `center`; with its class (LIDC 1–5 or benign/malignant). */
  addNoduleMark(req: R.AddNoduleMarkRequest): Promise<NoduleMark>;
  /** Change a mark's class or radius. */
  updateNoduleMark(req: R.UpdateNoduleMarkRequest): Promise<NoduleMark>;
  listNoduleMarks(req: R.ListNoduleMarksRequest): Promise<NoduleMark[]>;
  removeNoduleMark(req: R.NoduleMarkRef): Promise<void>;

  // ---- files ----
  listRecent(): Promise<RecentItem[]>;
  /** Restricted file browser (web mode): folders under the allowed roots only. */
  listDirectory(req: R.ListDirectoryRequest): Promise<DirListing>;
  /** Native dialog (Electron only; web mode: 'unsupported'). Null when the user cancels. */
  chooseFile(req: R.ChooseFileRequest): Promise<{ path: string } | null>;
}

/** Event payloads, by event name. Subscribe with api.onJobUpdate(cb) etc. */
export interface Med3dEvents {
  jobUpdate: JobInfo;
  workspaceChanged: WorkspaceChangedEvent;
  menuCommand: MenuCommandEvent;
  volumeProgress: VolumeProgressEvent;
}

export type Unsubscribe = () => void;

export interface Med3dApiEvents {
  onJobUpdate(cb: (e: JobInfo) => void): Unsubscribe;
  onWorkspaceChanged(cb: (e: WorkspaceChangedEvent) => void): Unsubscribe;
  onMenuCommand(cb: (e: MenuCommandEvent) => void): Unsubscribe;
  onVolumeProgress(cb: (e: VolumeProgressEvent) => void): Unsubscribe;
}

/** What the renderer holds. */
export interface Med3dApi extends Med3dApiMethods, Med3dApiEvents {}

export type MethodName = keyof Med3dApiMethods;
export type EventName = keyof Med3dEvents;
export type RequestOf<M extends MethodName> = Parameters<Med3dApiMethods[M]> extends [] ? void : Parameters<Med3dApiMethods[M]>[0];

/** Request validators, one per method: the service validates every payload with these. */
export const REQUEST_SCHEMAS: { readonly [M in MethodName]: Schema<RequestOf<M>> } = {
  getAppInfo: v.none(),
  openVolume: S.OpenVolumeRequest,
  getVoxels: S.GetVoxelsRequest,
  listSeries: S.ListSeriesRequest,
  closeVolume: S.VolumeRef,
  openWorkspace: S.OpenWorkspaceRequest,
  getWorkspace: v.none(),
  listCases: v.none(),
  addCase: S.AddCaseRequest,
  openCase: S.CaseRef,
  adjacentCase: S.AdjacentCaseRequest,
  setCaseStatus: S.SetCaseStatusRequest,
  listLabelVersions: S.CaseRef,
  saveLabel: S.SaveLabelRequest,
  loadLabel: S.LoadLabelRequest,
  saveRecovery: S.SaveRecoveryRequest,
  loadRecovery: S.CaseRef,
  discardRecovery: S.CaseRef,
  exportLabel: S.ExportLabelRequest,
  readExport: S.ReadExportRequest,
  importLabel: S.ImportLabelRequest,
  importDataset: S.ImportDatasetRequest,
  getSettings: v.none(),
  updateSettings: S.UpdateSettingsRequest,
  startJob: S.StartJobRequest,
  cancelJob: S.JobRef,
  getJob: S.JobRef,
  listJobs: v.none(),
  resumeJob: S.JobRef,
  listJobKinds: v.none(),
  listModels: S.ListModelsRequest,
  importWeights: S.ImportWeightsRequest,
  activateModel: S.ActivateModelRequest,
  deleteModel: S.DeleteModelRequest,
  exportModel: S.ExportModelRequest,
  runTask: S.RunTaskRequest,
  fineTune: S.FineTuneRequest,
  classifyNodule: S.ClassifyNoduleRequest,
  findNoduleCandidate: S.FindNoduleCandidateRequest,
  addNoduleMark: S.AddNoduleMarkRequest,
  updateNoduleMark: S.UpdateNoduleMarkRequest,
  listNoduleMarks: S.ListNoduleMarksRequest,
  removeNoduleMark: S.NoduleMarkRef,
  listRecent: v.none(),
  listDirectory: S.ListDirectoryRequest,
  chooseFile: S.ChooseFileRequest,
};

export const METHOD_NAMES = Object.keys(REQUEST_SCHEMAS) as MethodName[];

export const EVENT_NAMES: readonly EventName[] = ['jobUpdate', 'workspaceChanged', 'menuCommand', 'volumeProgress'];

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, x);
}

export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && (EVENT_NAMES as readonly string[]).includes(x);
}

/** 'jobUpdate' → 'onJobUpdate' */
export function subscribeMethodName(e: EventName): keyof Med3dApiEvents {
  return `on${e[0].toUpperCase()}${e.slice(1)}` as keyof Med3dApiEvents;
}
