/**
 * Nodule marks: nodules the user marked on a case (centre, radius, benign/malignant or LIDC 1–5),
 * stored with the case in the workspace manifest, so they are written atomically under the
 * workspace lock like every other manifest change. They are the training items of the nodule
 * classifier (fineTune task 'nodule') and what the Nodule panel lists.
 */
import { WorkspaceError } from './WorkspaceError';
import type { LidcMalignancy, NoduleMark, Vec3 } from '../../common/api/types';
import type { NoduleMarkRecord, WorkspaceManifest } from './manifest';
import type { Workspace } from './Workspace';

export type NoduleLabel = NoduleMark['label'];

/** What a client says about a nodule's class: an LIDC rating, a label, or both when they agree. */
export interface NoduleClassInput {
  malignancy?: number;
  label?: NoduleLabel;
}

export interface NewNoduleMark extends NoduleClassInput {
  centerWorld: Vec3;
  centerVoxel: Vec3;
  radiusMm: number;
  shape: NoduleMark['shape'];
}

/** LIDC 1–3 benign, 4–5 malignant (the Med3D paper's split: 3 counts as benign). */
export function lidcLabel(malignancy: LidcMalignancy): NoduleLabel {
  return malignancy >= 4 ? 'malignant' : 'benign';
}

/** The stored class of a mark; refuses a missing class and a rating that contradicts the label. */
export function noduleClass(input: NoduleClassInput): { label: NoduleLabel; malignancy: LidcMalignancy | null } {
  const m = input.malignancy;
  if (m !== undefined) {
    if (!Number.isInteger(m) || m < 1 || m > 5) throw new WorkspaceError('invalid-request', `malignancy must be an LIDC rating 1..5, got ${m}`);
    const label = lidcLabel(m as LidcMalignancy);
    if (input.label && input.label !== label) throw new WorkspaceError('invalid-request', `malignancy ${m} is ${label} (LIDC 1–3 benign, 4–5 malignant) but label says ${input.label}`);
    return { label, malignancy: m as LidcMalignancy };
  }
  if (!input.label) throw new WorkspaceError('invalid-request', 'a nodule mark needs its class: malignancy (LIDC 1..5) or label (benign | malignant)');
  return { label: input.label, malignancy: null };
}

function toMark(caseId: string, r: NoduleMarkRecord): NoduleMark {
  return { caseId, ...structuredClone(r) };
}

/** Marks of one case, or of every case (in case order), as they are on disk now. */
export async function listNoduleMarks(ws: Workspace, caseId?: string): Promise<NoduleMark[]> {
  await ws.refresh();
  const cases = ws.snapshot().cases;
  if (caseId !== undefined && !cases.some((c) => c.caseId === caseId)) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${ws.root}`);
  return cases.filter((c) => caseId === undefined || c.caseId === caseId).flatMap((c) => (c.nodules ?? []).map((r) => toMark(c.caseId, r)));
}

export async function addNoduleMark(ws: Workspace, caseId: string, m: NewNoduleMark): Promise<NoduleMark> {
  const cls = noduleClass(m);
  if (!(m.radiusMm > 0)) throw new WorkspaceError('invalid-request', `radiusMm must be positive, got ${m.radiusMm}`);
  return ws.editManifest(
    'nodules',
    (next) => {
      const c = next.cases.find((x) => x.caseId === caseId);
      if (!c) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${ws.root}`);
      const n = c.nextNodule ?? (c.nodules?.length ?? 0) + 1;
      const now = new Date().toISOString();
      const rec: NoduleMarkRecord = { markId: `nodule-${n}`, centerWorld: [...m.centerWorld], centerVoxel: [...m.centerVoxel], radiusMm: m.radiusMm, shape: m.shape, ...cls, createdAt: now, updatedAt: now };
      c.nodules = [...(c.nodules ?? []), rec];
      c.nextNodule = n + 1;
      return toMark(caseId, rec);
    },
    caseId,
  );
}

function findMark(next: WorkspaceManifest, root: string, caseId: string, markId: string): { marks: NoduleMarkRecord[]; index: number; set: (m: NoduleMarkRecord[]) => void } {
  const c = next.cases.find((x) => x.caseId === caseId);
  if (!c) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${root}`);
  const marks = c.nodules ?? [];
  const index = marks.findIndex((r) => r.markId === markId);
  if (index < 0) throw new WorkspaceError('not-found', `case ${caseId} has no nodule mark ${markId}`);
  return { marks, index, set: (m) => (c.nodules = m) };
}

/** Change a mark's class and/or radius. */
export async function updateNoduleMark(ws: Workspace, caseId: string, markId: string, patch: NoduleClassInput & { radiusMm?: number }): Promise<NoduleMark> {
  const cls = patch.malignancy !== undefined || patch.label !== undefined ? noduleClass(patch) : null;
  if (patch.radiusMm !== undefined && !(patch.radiusMm > 0)) throw new WorkspaceError('invalid-request', `radiusMm must be positive, got ${patch.radiusMm}`);
  return ws.editManifest(
    'nodules',
    (next) => {
      const { marks, index } = findMark(next, ws.root, caseId, markId);
      const r = marks[index];
      if (cls) Object.assign(r, cls);
      if (patch.radiusMm !== undefined) r.radiusMm = patch.radiusMm;
      r.updatedAt = new Date().toISOString();
      return toMark(caseId, r);
    },
    caseId,
  );
}

export async function removeNoduleMark(ws: Workspace, caseId: string, markId: string): Promise<void> {
  await ws.editManifest(
    'nodules',
    (next) => {
      const { marks, index, set } = findMark(next, ws.root, caseId, markId);
      set(marks.filter((_, i) => i !== index));
    },
    caseId,
  );
}
