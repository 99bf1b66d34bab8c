/**
 * The workspace manifest (med3d-workspace.json): cases, label versions, model versions and
 * settings. Plain JSON, written only through atomicWriteJson. Pure helpers here; I/O in Workspace.ts.
 */
import type { CaseStatus, CaseUncertainty, LabelDef, LabelVersionInfo, ModelVersionInfo, NoduleMark, TaskName, WorkspaceSettings } from '../../common/api/types';
import { defaultLabels } from '../../common/labels/defaultLabels';

export const MANIFEST_NAME = 'med3d-workspace.json';
export const MANIFEST_FORMAT = 'med3d-workspace';
export const MANIFEST_VERSION = 1;

export interface CaseGrid {
  dims: [number, number, number];
  /** RAS+ row-major 4x4. */
  affine: number[];
  spacing: [number, number, number];
}

/** What the manifest stores per label version: the API's view minus the case id (implied by the case). */
export interface LabelVersionRecord extends Omit<LabelVersionInfo, 'caseId'> {
  baseVersion: number | null;
}

export interface CaseRecord {
  caseId: string;
  name: string;
  /** Scan path: relative to the root when inside it, else absolute. */
  source: string;
  /** For a DICOM folder holding several series: the one this case is (SeriesInfo.key); absent = the largest. */
  series?: string;
  status: CaseStatus;
  addedAt: string;
  updatedAt: string;
  /** Source grid, recorded when the scan was first loaded. */
  grid: CaseGrid | null;
  labels: LabelVersionRecord[];
  /** Nodules the user marked (noduleMarks.ts); absent before the first. */
  nodules?: NoduleMarkRecord[];
  /** Number of the next nodule mark (mark ids are never reused); absent before the first. */
  nextNodule?: number;
  /** Uncertainty of the last prediction that measured one (active learning); absent before. */
  uncertainty?: CaseUncertainty;
}

/** What the manifest stores per nodule mark: the API's view minus the case id (implied by the case). */
export type NoduleMarkRecord = Omit<NoduleMark, 'caseId'>;

/** What the manifest stores per model version: the API's view minus the derived `active` flag. */
export interface ModelVersionRecord extends Omit<ModelVersionInfo, 'active'> {
  /** Anything a task wants to keep with the version (preprocessing, history...). */
  extra?: Record<string, unknown>;
}

export interface WorkspaceManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  name: string;
  createdAt: string;
  settings: WorkspaceSettings;
  cases: CaseRecord[];
  models: ModelVersionRecord[];
  activeModels: Partial<Record<TaskName, string | null>>;
  /** Ids of deleted model versions: never handed out again (absent in older manifests). */
  retiredModels?: string[];
  /** Next case number (case ids are never reused, even after removal). */
  nextCase: number;
}

export function defaultSettings(): WorkspaceSettings {
  return { fineTune: 'manual', labels: defaultLabels(), validationFraction: 0.2, autosaveSeconds: 30, promotion: 'automatic' };
}

export function newManifest(name: string, now = new Date()): WorkspaceManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name,
    createdAt: now.toISOString(),
    settings: defaultSettings(),
    cases: [],
    models: [],
    activeModels: {},
    nextCase: 1,
  };
}

/**
 * Check a parsed manifest enough to trust its structure; unknown extra fields are kept (a newer
 * app version may add some). Throws an Error naming `file` and the problem.
 */
export function checkManifest(x: unknown, file: string): WorkspaceManifest {
  const bad = (why: string): never => {
    throw new Error(`workspace manifest ${file} is invalid: ${why}`);
  };
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return bad('not a JSON object');
  const m = x as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return bad(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (typeof m.version !== 'number' || m.version > MANIFEST_VERSION) return bad(`version ${String(m.version)} is newer than this app supports (${MANIFEST_VERSION})`);
  if (!Array.isArray(m.cases)) return bad('cases is not an array');
  if (!Array.isArray(m.models)) return bad('models is not an array');
  const ids = new Set<string>();
  for (const [i, c] of (m.cases as unknown[]).entries()) {
    const r = c as Partial<CaseRecord> | null;
    if (!r || typeof r.caseId !== 'string' || typeof r.source !== 'string' || !Array.isArray(r.labels)) return bad(`cases[${i}] is malformed`);
    if (ids.has(r.caseId)) return bad(`duplicate case id ${r.caseId}`);
    ids.add(r.caseId);
  }
  const defaults = defaultSettings();
  const settings = { ...defaults, ...((typeof m.settings === 'object' && m.settings) || {}) } as WorkspaceSettings;
  return {
    ...(m as unknown as WorkspaceManifest),
    name: typeof m.name === 'string' ? m.name : 'workspace',
    settings,
    activeModels: (typeof m.activeModels === 'object' && m.activeModels) || {},
    nextCase: typeof m.nextCase === 'number' ? m.nextCase : (m.cases as unknown[]).length + 1,
  };
}

export function caseIdFor(n: number): string {
  return `case-${String(n).padStart(4, '0')}`;
}

export function labelFileFor(caseId: string, version: number): string {
  return `cases/${caseId}/labels/v${String(version).padStart(4, '0')}.nii.gz`;
}

export function voxelCounts(labels: Uint8Array): Record<string, number> {
  const hist = new Float64Array(256);
  for (let i = 0; i < labels.length; i++) hist[labels[i]]++;
  const out: Record<string, number> = {};
  for (let v = 1; v < 256; v++) if (hist[v] > 0) out[String(v)] = hist[v];
  return out;
}
