/**
 * Plain-data types returned by the Med3D API (responses and event payloads). Everything here
 * survives structured clone (Electron IPC) and the JSON+binary WebSocket framing: no classes,
 * no typed arrays (voxels travel as ArrayBuffer), no Dates (ISO strings).
 */
import type { ApiErrorData } from './errors';
import type { JsonValue } from './schema';

export type Vec3 = [number, number, number];

/** 'electron': desktop app over IPC; 'web': `med3d serve` over WebSocket. */
export type AppMode = 'electron' | 'web';

export interface EngineBackendInfo {
  /** Backend in use, e.g. 'tfjs-node-gpu', 'tfjs-node', 'onednn', 'tfjs-cpu'. */
  name: string;
  /** One line for the status bar, e.g. 'oneDNN 2.6 (native CPU, 2 threads)'. */
  description: string;
  /** Backends tried before this one and why they were skipped. */
  tried: Array<{ name: string; ok: boolean; reason?: string }>;
}

export interface AppInfo {
  name: string;
  version: string;
  mode: AppMode;
  /** Null until the engine has started (it starts lazily on first use). */
  backend: EngineBackendInfo | null;
  platform: string;
  /** Native open/save dialogs exist (Electron). In web mode use listDirectory instead. */
  nativeDialogs: boolean;
  /** Open workspace folder, if any. */
  workspace: string | null;
  /** A bundled demo scan can be opened with openVolume({kind: 'demo'}). */
  demoAvailable: boolean;
  /** What the server was asked to open at start (`med3d serve --open FILE`, or the demo); the renderer opens it first. */
  initialOpen: { kind: 'demo' } | { kind: 'path'; path: string } | { kind: 'case'; caseId: string } | null;
}

/** Voxel storage type of getVoxels' ArrayBuffer (little-endian, i fastest, then j, then k). */
export type VoxelDType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export interface VolumeHeader {
  /** Handle for getVoxels/closeVolume; valid until closed or the server restarts. */
  volumeId: string;
  /** Voxels along i, j, k. */
  dims: Vec3;
  /** Voxel size in mm along i, j, k. */
  spacing: Vec3;
  /** Index (i, j, k, 1) → world RAS+ mm, row-major 4x4 (16 numbers). */
  affine: number[];
  dtype: VoxelDType;
  /** Value range in physical units (HU for CT). */
  min: number;
  max: number;
  /** 'CT', 'MR', ... or 'unknown'. */
  modality: string;
  /** File or folder it came from; 'demo:phantom' for the bundled demo. */
  source: string;
  /** Corrections or assumptions made while loading (shown to the user). */
  warnings: string[];
  /** Case this volume belongs to, when opened through a workspace case. */
  caseId?: string;
  /** Label names/colours shipped with the volume (e.g. the demo phantom's true masks). */
  labels?: LabelDef[];
}

export interface LabelDef {
  /** Voxel value (1..255; 0 is background). */
  value: number;
  name: string;
  /** RGB 0..255. */
  color: Vec3;
}

export type CaseStatus = 'new' | 'predicted' | 'corrected' | 'verified';

export interface CaseSummary {
  caseId: string;
  name: string;
  /** Source scan: NIfTI file or DICOM folder (absolute path). */
  source: string;
  status: CaseStatus;
  /** Number of label versions saved. */
  labelVersions: number;
  /** Latest label version number, or null. */
  latestVersion: number | null;
  /** An autosaved recovery file with unsaved edits exists. */
  hasRecovery: boolean;
  addedAt: string;
  updatedAt: string;
  /** Active learning: the last prediction's uncertainty (CaseUncertainty.value), null before any prediction that measured one. */
  uncertainty: number | null;
  /** Where `uncertainty` comes from (method, model version, time), null with it. */
  uncertaintyInfo: CaseUncertainty | null;
}

/** importLabel's answer: the new version and what happened to the file's labels. */
export interface ImportLabelResult {
  version: LabelVersionInfo;
  /** One line per source label, e.g. `2 "lung_right" → 1 Right lung`. */
  mapped: string[];
  /** The file's grid differed from the scan's: resampled by label vote. */
  resampled: boolean;
  warnings: string[];
}

/** importDataset's answer. */
export interface ImportDatasetResult {
  /** The dataset's name and layout, e.g. 'Task03_Liver (msd)'. */
  dataset: string;
  /** The cases created (status verified, label version 1 by 'import'). */
  cases: CaseSummary[];
  /** What was not imported, and why (one line each). */
  skipped: Array<{ item: string; path: string; reason: string }>;
  /** What each dataset label became in the workspace. */
  labels: string[];
  warnings: string[];
}

/**
 * A case's uncertainty as stored after a prediction: mean voxel entropy (nats) of the model's
 * class probabilities; for the cold-start lung mask, the entropy of its soft HU-threshold decision
 * (main/tasks/activeLearning/thresholdEntropy.ts). Higher = less certain; 0 = certain.
 */
export interface CaseUncertainty {
  value: number;
  /** 'entropy' (model softmax) or 'threshold-entropy' (cold start). */
  measure: string;
  /** Model version id that predicted, or null for a method without a workspace model (cold start). */
  modelVersion: string | null;
  /** Label version the prediction was saved as. */
  labelVersion: number;
  computedAt: string;
}

export interface LabelVersionInfo {
  caseId: string;
  /** 1, 2, 3... never reused, never overwritten. */
  version: number;
  status: CaseStatus;
  note: string;
  /** 'user' for saves from the editor, 'model:<versionId>' for predictions, 'import' for imported masks. */
  author: string;
  createdAt: string;
  /** Voxel count per label value (value → count), computed at save time. */
  voxelCounts: Record<string, number>;
  /** NIfTI file in the workspace (relative to its root). */
  file: string;
}

export interface LabelData {
  version: LabelVersionInfo;
  /** Uint8 label values on the case's source grid (same dims and order as the volume). */
  labels: ArrayBuffer;
  dims: Vec3;
}

export interface RecoveryData {
  caseId: string;
  labels: ArrayBuffer;
  dims: Vec3;
  /** Version the unsaved edits started from (null: from empty). */
  baseVersion: number | null;
  savedAt: string;
}

export type FineTuneMode = 'automatic' | 'manual';

export interface WorkspaceSettings {
  /** Fine-tune automatically after a corrected/verified save, or only on request. */
  fineTune: FineTuneMode;
  /** Label names and colours for this workspace. */
  labels: LabelDef[];
  /** Fraction of verified cases held out for validation (0..0.5). */
  validationFraction: number;
  /** Autosave period for unsaved edits in seconds (0 disables). */
  autosaveSeconds: number;
  /** Default of fineTune's `promotion`: 'automatic' activates a version that beats the active method on held-out verified cases; 'manual' never activates. */
  promotion: PromotionMode;
}

export type PromotionMode = 'automatic' | 'manual';

/**
 * How a fine-tuned version compared with the method active when it was trained, on held-out
 * verified cases it never trained on (Dice on each case's source grid, mean over foreground classes).
 */
export interface ModelComparison {
  /** The method compared against: the active version id, 'cold-start' (lung without a model) or 'none' (no method yet). */
  baseline: string;
  /** 'dice' for segmentation (mean over cases); 'accuracy' for the nodule classifier (rows are held-out marks, 1 = right). */
  metric: 'dice' | 'accuracy';
  cases: Array<{ caseId: string; candidate: number; baseline: number }>;
  /** Means over `cases`; null when there was nothing to validate on. */
  candidateMean: number | null;
  baselineMean: number | null;
  /**
   * 'promoted': it won and became active; 'kept-baseline': it did not beat the baseline;
   * 'manual': promotion was manual; 'no-validation': fewer than two verified cases;
   * 'cancelled': the job was cancelled (best weights so far kept as a candidate).
   */
  decision: 'promoted' | 'kept-baseline' | 'manual' | 'no-validation' | 'cancelled';
}

export interface WorkspaceInfo {
  root: string;
  name: string;
  caseCount: number;
  settings: WorkspaceSettings;
  /** Active model version per task (task → versionId). */
  activeModels: Record<string, string | null>;
}

export type TaskName = 'lung' | 'liver' | 'nodule';

export interface ModelVersionInfo {
  versionId: string;
  task: TaskName;
  /** e.g. 'resnet10', 'resnet50'. */
  backbone: string;
  /** Version it was fine-tuned from, or null (imported / from scratch). */
  parent: string | null;
  /** 'import' (a .pth or checkpoint file), 'finetune', 'scratch'. */
  origin: 'import' | 'finetune' | 'scratch';
  /** Cases (caseId@labelVersion) it was trained on. */
  trainingCases: string[];
  /** e.g. { valDice: 0.91, trainLoss: 0.12 }. */
  metrics: Record<string, number>;
  createdAt: string;
  /** Checkpoint file (relative to the workspace root). */
  file: string;
  /** Currently used for this task. */
  active: boolean;
  note: string;
  /** Fine-tuned versions: the comparison that decided promotion. */
  comparison?: ModelComparison;
  /** Fine-tuned versions: engine backend that trained it (e.g. 'tensorflow', 'cpu') and seconds the job used. */
  backend?: string;
  seconds?: number;
}

/** 'interrupted': a resumable job whose process ended (app closed, crash) before it finished; resumeJob continues it. */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobInfo {
  id: string;
  kind: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  /** Seconds left, estimated from progress so far; null when unknown. */
  etaSeconds: number | null;
  /** Current step in words, e.g. 'epoch 3/10'. */
  message: string;
  /** Set when state is 'failed' (or 'cancelled'). */
  error?: ApiErrorData;
  /** Set when state is 'done'; shape depends on the job kind. */
  result?: JsonValue;
  /** Curves for plots (e.g. loss, valDice): name → [step, value] pairs. */
  curves?: Record<string, Array<[number, number]>>;
  caseId?: string;
  /** Short human title, e.g. 'Lung segmentation — case 3'. */
  title: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The job keeps checkpoints in the workspace and can be continued with resumeJob (state 'interrupted'). */
  resumable?: boolean;
}

export interface NoduleResult {
  /** Probability of malignancy (LIDC 4–5) 0..1. */
  probability: number;
  label: 'benign' | 'malignant';
  /** The patch fed to the classifier, registered as a volume (getVoxels works on it). */
  patch: VolumeHeader;
  /** Patch centre in voxel (i, j, k) of the case volume and in world RAS+ mm. */
  centerVoxel: Vec3;
  centerWorld: Vec3;
  modelVersion: string | null;
}

/** LIDC malignancy rating: 1–3 benign, 4–5 malignant (the Med3D paper's split; 3, "indeterminate", counts as benign). */
export type LidcMalignancy = 1 | 2 | 3 | 4 | 5;

/** A nodule the user marked on a case: a training item of the nodule classifier (stored in the workspace). */
export interface NoduleMark {
  /** Unique within its case, never reused ('nodule-1', 'nodule-2', …). */
  markId: string;
  caseId: string;
  /** Centre in world RAS+ mm and as continuous voxel indices (i, j, k) of the case's scan. */
  centerWorld: Vec3;
  centerVoxel: Vec3;
  radiusMm: number;
  /** 'candidate': found around a click (findNoduleCandidate); 'sphere': centre and radius drawn by the user. */
  shape: 'candidate' | 'sphere';
  label: 'benign' | 'malignant';
  /** The LIDC rating when the user gave one (label follows from it), else null. */
  malignancy: LidcMalignancy | null;
  createdAt: string;
  updatedAt: string;
}

/** The nodule under a click: region grown on CT values from the dense voxel nearest the point. */
export interface NoduleCandidate {
  centerWorld: Vec3;
  centerVoxel: Vec3;
  radiusMm: number;
  voxels: number;
  /** Mean value of its voxels (HU for CT). */
  meanHu: number;
  /** The dense region went on beyond the nodule (vessel, chest wall): radius from rays, not volume. */
  attached: boolean;
}

export type RecentKind = 'nifti' | 'dicom' | 'workspace' | 'weights';

export interface RecentItem {
  path: string;
  kind: RecentKind;
  openedAt: string;
}

export type FileKind = 'nifti' | 'dicom' | 'weights' | 'checkpoint' | 'other';

export interface DirEntry {
  name: string;
  /** Absolute path (pass back as-is to open it). */
  path: string;
  isDirectory: boolean;
  size: number;
  /** Guess from the name (and for folders: contains DICOM files). */
  kind: FileKind | null;
}

export interface DirListing {
  /** Absolute path listed; null when listing the roots themselves. */
  path: string | null;
  parent: string | null;
  roots: string[];
  entries: DirEntry[];
}

/** One image series of a DICOM folder, as `listSeries` and `med3d info` list it. */
export interface SeriesInfo {
  /** 1-based position in the listing (largest series first): what `med3d info --series N` takes. */
  index: number;
  /** Pass back as `series` to openVolume/addCase to open this series (SeriesInstanceUID, or a group key). */
  key: string;
  seriesInstanceUID: string;
  /** One-liner: number, description, modality, size, UID. */
  description: string;
  seriesDescription: string | null;
  seriesNumber: number | null;
  modality: string | null;
  /** Columns, rows, images (slices before any resampling). */
  dims: Vec3;
  fileCount: number;
  /** What loading this series would correct or assume (tilt, spacing, missing geometry...), from the headers. */
  warnings: string[];
}

export interface SeriesListing {
  /** Absolute path listed. */
  path: string;
  /** Image series, largest first; empty when the path is not a folder of DICOM images. */
  series: SeriesInfo[];
  /** Files in the folder that are not DICOM images. */
  skippedFiles: number;
}

export type WorkspaceChange = 'opened' | 'cases' | 'labels' | 'models' | 'settings' | 'recovery' | 'nodules';

export interface WorkspaceChangedEvent {
  reason: WorkspaceChange;
  caseId?: string;
  root: string;
}

/** Commands from native menus / shortcuts handled by the renderer. */
export type MenuCommand =
  | 'open-dicom'
  | 'open-nifti'
  | 'open-workspace'
  | 'import-weights'
  | 'export-mask'
  | 'undo'
  | 'redo'
  | 'save'
  | 'next-case'
  | 'previous-case'
  /** File ▸ Batch Segmentation… (the renderer shows the batch dialog, which starts a 'batch' job). */
  | 'batch';

export interface MenuCommandEvent {
  command: MenuCommand;
  /** Path the user already chose in a native dialog (open-*, import-weights). */
  path?: string;
}

export interface VolumeProgressEvent {
  /** Source being loaded. */
  source: string;
  /** 0..1 */
  progress: number;
  message: string;
}

/** The result of a finished 'batch' job (File ▸ Batch Segmentation…, `med3d batch`). */
export type BatchReport = {
  /** 0 every case succeeded (or was done before), 2 some failed, 1 nothing could run. */
  exitCode: number;
  ok: number;
  failed: number;
  /** Done by an earlier run (resume). */
  skipped: number;
  /** Reports of every case in the output folder (all runs and shards). */
  reportJson: string;
  reportCsv: string;
  /** This run's cases, in order: output file or error, and seconds taken. */
  cases: Array<{ id: string; status: 'ok' | 'failed' | 'skipped'; timeS: number; output?: string; error?: string }>;
  /** Cases of this run left out of `cases` to keep the job result small (the report files list them). */
  omitted: number;
};
