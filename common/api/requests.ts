/**
 * Request payload schemas, one per API method. The request types are inferred from these, so
 * what the service side validates is exactly what the client may send.
 */
import { v, type Infer } from './schema';

/**
 * Paths are absolute; relative ones are refused except where the host has a base folder (`med3d call`:
 * its working directory). The service resolves and checks every one (main/server/PathGuard).
 */
const path = v.string({ min: 1, max: 4096 });
const id = v.string({ min: 1, max: 200, pattern: /^[A-Za-z0-9._:@-]+$/ });
/** Label maps: at most 2 GiB of uint8. */
/** A series key (SeriesInstanceUID, or the listing's key for a series without one). */
const seriesKey = v.string({ min: 1, max: 4096 });
const labelBuffer = v.arrayBuffer({ maxBytes: 2 ** 31 - 1 });

const CaseStatusSchema = v.literal('new', 'predicted', 'corrected', 'verified');
const TaskNameSchema = v.literal('lung', 'liver', 'nodule');
const Vec3Schema = v.tuple3(v.number());
const LabelDefSchema = v.object({
  value: v.number({ integer: true, min: 1, max: 255 }),
  name: v.string({ min: 1, max: 200 }),
  color: v.tuple3(v.number({ integer: true, min: 0, max: 255 })),
});

export const OpenVolumeRequest = v.union('kind', {
  /** series: which series of a multi-series DICOM folder (SeriesInfo.key from listSeries); default the largest. */
  path: v.object({ kind: v.literal('path'), path, series: v.optional(seriesKey) }),
  demo: v.object({ kind: v.literal('demo') }),
});
export type OpenVolumeRequest = Infer<typeof OpenVolumeRequest>;

export const VolumeRef = v.object({ volumeId: id });
export type VolumeRef = Infer<typeof VolumeRef>;

export const GetVoxelsRequest = v.object({
  volumeId: id,
  /**
   * Optional slab of whole k-slices (for progressive loading with a progress bar): slices
   * kStart .. kStart+kCount-1. Omitted: the whole volume.
   */
  kStart: v.optional(v.number({ integer: true, min: 0 })),
  kCount: v.optional(v.number({ integer: true, min: 1 })),
});
export type GetVoxelsRequest = Infer<typeof GetVoxelsRequest>;

export const OpenWorkspaceRequest = v.object({
  path,
  /** Create the workspace (and folder) when it does not exist yet. */
  create: v.optional(v.boolean()),
});
export type OpenWorkspaceRequest = Infer<typeof OpenWorkspaceRequest>;

export const AddCaseRequest = v.object({ path, name: v.optional(v.string({ min: 1, max: 200 })), series: v.optional(seriesKey) });
export type AddCaseRequest = Infer<typeof AddCaseRequest>;

export const CaseRef = v.object({ caseId: id });
export type CaseRef = Infer<typeof CaseRef>;

export const AdjacentCaseRequest = v.object({
  /** Where to start; omitted: from the start (or end) of the list / ranking. */
  caseId: v.optional(id),
  direction: v.literal('next', 'previous'),
  /** Only consider cases with this status (e.g. next 'new' case to correct). */
  status: v.optional(CaseStatusSchema),
  /** 'list' (default): list order; 'uncertainty': 'next' = the most uncertain case not yet corrected or verified, other than caseId. */
  order: v.optional(v.literal('list', 'uncertainty')),
});
export type AdjacentCaseRequest = Infer<typeof AdjacentCaseRequest>;

export const SetCaseStatusRequest = v.object({ caseId: id, status: CaseStatusSchema });
export type SetCaseStatusRequest = Infer<typeof SetCaseStatusRequest>;

export const SaveLabelRequest = v.object({
  caseId: id,
  /** Uint8 label values on the case's source grid, i fastest. */
  labels: labelBuffer,
  status: CaseStatusSchema,
  note: v.optional(v.string({ max: 2000 })),
  /** Version the edits started from (provenance only). */
  baseVersion: v.optional(v.nullable(v.number({ integer: true, min: 1 }))),
});
export type SaveLabelRequest = Infer<typeof SaveLabelRequest>;

export const LoadLabelRequest = v.object({ caseId: id, version: v.optional(v.number({ integer: true, min: 1 })) });
export type LoadLabelRequest = Infer<typeof LoadLabelRequest>;

export const SaveRecoveryRequest = v.object({
  caseId: id,
  labels: labelBuffer,
  baseVersion: v.nullable(v.number({ integer: true, min: 1 })),
});
export type SaveRecoveryRequest = Infer<typeof SaveRecoveryRequest>;

export const ExportLabelRequest = v.object({
  caseId: id,
  version: v.optional(v.number({ integer: true, min: 1 })),
  format: v.literal('nifti', 'dicom-seg'),
  /**
   * Destination; must be inside an allowed root or chosen in a save dialog, and not inside the
   * workspace except its exports/ folder. Default: <workspace>/exports/<case>-v<version> (-2, -3… when taken).
   */
  path: v.optional(path),
  /** Replace an existing file at `path` (default false: an existing file is an error). */
  overwrite: v.optional(v.boolean()),
});
export type ExportLabelRequest = Infer<typeof ExportLabelRequest>;

/** A file in the open workspace's exports/ folder (what exportLabel or a model export wrote there). */
export const ReadExportRequest = v.object({ path });
export type ReadExportRequest = Infer<typeof ReadExportRequest>;

export const ImportLabelRequest = v.object({
  caseId: id,
  /** NIfTI label map, DICOM SEG file, or a folder holding exactly one DICOM SEG. */
  path,
  /** Status of the new version (default 'corrected'). */
  status: v.optional(CaseStatusSchema),
});
export type ImportLabelRequest = Infer<typeof ImportLabelRequest>;

export const ImportDatasetRequest = v.object({ path });
export type ImportDatasetRequest = Infer<typeof ImportDatasetRequest>;

export const UpdateSettingsRequest = v.object({
  fineTune: v.optional(v.literal('automatic', 'manual')),
  labels: v.optional(v.array(LabelDefSchema, { max: 255 })),
  validationFraction: v.optional(v.number({ min: 0, max: 0.5 })),
  autosaveSeconds: v.optional(v.number({ min: 0, max: 3600 })),
  promotion: v.optional(v.literal('automatic', 'manual')),
});
export type UpdateSettingsRequest = Infer<typeof UpdateSettingsRequest>;

export const StartJobRequest = v.object({
  /** A registered job kind, e.g. 'predict', 'finetune', 'batch'. */
  kind: v.string({ min: 1, max: 100, pattern: /^[a-z][a-z0-9:-]*$/ }),
  params: v.optional(v.json()),
  caseId: v.optional(id),
  title: v.optional(v.string({ max: 200 })),
});
export type StartJobRequest = Infer<typeof StartJobRequest>;

export const JobRef = v.object({ jobId: id });
export type JobRef = Infer<typeof JobRef>;

export const ListModelsRequest = v.object({ task: v.optional(TaskNameSchema) });
export type ListModelsRequest = Infer<typeof ListModelsRequest>;

export const ImportWeightsRequest = v.object({
  /** A MedicalNet .pth or one of our checkpoints. */
  path,
  task: TaskNameSchema,
  note: v.optional(v.string({ max: 2000 })),
  /** Make it the task's active model (default true). */
  activate: v.optional(v.boolean()),
});
export type ImportWeightsRequest = Infer<typeof ImportWeightsRequest>;

export const ActivateModelRequest = v.object({ task: TaskNameSchema, versionId: id });
export type ActivateModelRequest = Infer<typeof ActivateModelRequest>;

export const DeleteModelRequest = v.object({ versionId: id });
export type DeleteModelRequest = Infer<typeof DeleteModelRequest>;

export const ExportModelRequest = v.object({
  versionId: id,
  /** 'm3d': our checkpoint (metadata and preprocessing kept); 'pth': PyTorch zip with MedicalNet keys. */
  format: v.literal('m3d', 'pth'),
  /** Destination, as for exportLabel (allowed folders, or the workspace's exports/ only). Default: <workspace>/exports/<versionId>.<format> (-2, -3… when taken). */
  path: v.optional(path),
  /** Replace an existing file at `path` (default false: an existing file is an error). */
  overwrite: v.optional(v.boolean()),
});
export type ExportModelRequest = Infer<typeof ExportModelRequest>;

export const RunTaskRequest = v.object({
  task: v.literal('lung', 'liver'),
  caseId: id,
  /** Model version; default the task's active version (lung falls back to the classical cold-start mask). */
  modelVersion: v.optional(id),
});
export type RunTaskRequest = Infer<typeof RunTaskRequest>;

export const FineTuneRequest = v.object({
  task: TaskNameSchema,
  /** Train on these cases; default all verified/corrected cases. */
  caseIds: v.optional(v.array(id, { max: 10_000 })),
  /** Optimisation steps (default chosen by the task; with `minutes` alone, as many as fit). */
  steps: v.optional(v.number({ integer: true, min: 1, max: 1_000_000 })),
  /** Time budget of the training in minutes. */
  minutes: v.optional(v.number({ min: 0.01, max: 10_000 })),
  /** Start from this model version id, or 'scratch' / 'cold-start' (a new model); default the task's active model. */
  from: v.optional(id),
  /** 'automatic': activate the new version only if it beats the active method on held-out verified cases; 'manual': never activate. Default: the workspace setting. */
  promotion: v.optional(v.literal('automatic', 'manual')),
  /** The case open in the app: when the new version is promoted, that case is predicted again with it. */
  caseId: v.optional(id),
});
export type FineTuneRequest = Infer<typeof FineTuneRequest>;

export const ClassifyNoduleRequest = v.object({
  caseId: id,
  point: v.object({
    /** 'world': RAS+ mm; 'voxel': (i, j, k) of the case volume. */
    frame: v.literal('world', 'voxel'),
    coords: Vec3Schema,
  }),
  modelVersion: v.optional(id),
});
export type ClassifyNoduleRequest = Infer<typeof ClassifyNoduleRequest>;

/** A point on a case: 'world' RAS+ mm, or 'voxel' (i, j, k) of the case volume. */
const CasePoint = v.object({ frame: v.literal('world', 'voxel'), coords: Vec3Schema });
/** LIDC 1–3 benign, 4–5 malignant; give either, or both when they agree. */
const noduleClass = {
  malignancy: v.optional(v.number({ integer: true, min: 1, max: 5 })),
  label: v.optional(v.literal('benign', 'malignant')),
};
const radiusMm = v.number({ min: 0.5, max: 100 });

export const AddNoduleMarkRequest = v.object({
  caseId: id,
  center: CasePoint,
  /** A drawn sphere's radius; omitted: the candidate under `center` gives centre and radius (findNoduleCandidate). */
  radiusMm: v.optional(radiusMm),
  ...noduleClass,
});
export type AddNoduleMarkRequest = Infer<typeof AddNoduleMarkRequest>;

export const UpdateNoduleMarkRequest = v.object({ caseId: id, markId: id, radiusMm: v.optional(radiusMm), ...noduleClass });
export type UpdateNoduleMarkRequest = Infer<typeof UpdateNoduleMarkRequest>;

/** caseId omitted: the marks of every case. */
export const ListNoduleMarksRequest = v.object({ caseId: v.optional(id) });
export type ListNoduleMarksRequest = Infer<typeof ListNoduleMarksRequest>;

export const NoduleMarkRef = v.object({ caseId: id, markId: id });
export type NoduleMarkRef = Infer<typeof NoduleMarkRef>;

export const FindNoduleCandidateRequest = v.object({ caseId: id, point: CasePoint });
export type FindNoduleCandidateRequest = Infer<typeof FindNoduleCandidateRequest>;

export const ListDirectoryRequest = v.object({
  /** Absolute folder inside an allowed root; omitted: list the roots. */
  path: v.optional(path),
  showHidden: v.optional(v.boolean()),
});
export type ListDirectoryRequest = Infer<typeof ListDirectoryRequest>;

export const ListSeriesRequest = v.object({ path });
export type ListSeriesRequest = Infer<typeof ListSeriesRequest>;

export const ChooseFileRequest = v.object({
  purpose: v.literal('dicom-folder', 'nifti', 'workspace', 'weights', 'export-mask', 'export-model', 'folder', 'label-file', 'export-seg'),
});
export type ChooseFileRequest = Infer<typeof ChooseFileRequest>;
