import type { AddNoduleMarkRequest, Med3dApi, NoduleMark } from '../../common/api';
import type { ViewName } from '../viewer/MprViewer';
import type { Notices } from './Notices.svelte';
import { sourceVoxelAt } from './sourceVoxelAt';
import type { SessionController } from './SessionController.svelte';
import type { TasksController } from './TasksController.svelte';
import type { ViewController } from './ViewController.svelte';

/**
 * A nodule's class as the panel offers it: benign / malignant, or an LIDC rating 1–5 (1–3 benign,
 * 4–5 malignant; 3 counts as benign, the Med3D paper's split). Stored as the API's
 * {label} or {malignancy}.
 */
export type NoduleClassChoice = 'benign' | 'malignant' | '1' | '2' | '3' | '4' | '5';

export const NODULE_CLASS_CHOICES: ReadonlyArray<{ value: NoduleClassChoice; text: string }> = [
  { value: 'benign', text: 'benign' },
  { value: 'malignant', text: 'malignant' },
  { value: '1', text: 'LIDC 1 (benign)' },
  { value: '2', text: 'LIDC 2 (benign)' },
  { value: '3', text: 'LIDC 3 (benign)' },
  { value: '4', text: 'LIDC 4 (malignant)' },
  { value: '5', text: 'LIDC 5 (malignant)' },
];

export function classOf(m: NoduleMark): NoduleClassChoice {
  return m.malignancy !== null ? (String(m.malignancy) as NoduleClassChoice) : m.label;
}

function classRequest(c: NoduleClassChoice): Pick<AddNoduleMarkRequest, 'label' | 'malignancy'> {
  return c === 'benign' || c === 'malignant' ? { label: c } : { malignancy: Number(c) };
}

/**
 * The Nodule panel's state and actions: the open case's nodule marks (the nodule classifier's
 * training items), the "Mark nodule" tool (the next click in a view marks the candidate under the
 * cursor, or a sphere of the given radius centred there), each mark's class, delete, "Classify
 * nodule" on a mark (P(malignant) from the active nodule model) and "Train nodule classifier".
 */
export class NoduleController {
  marks: NoduleMark[] = $state([]);
  /** What the next click in a view does, or null. */
  marking: 'candidate' | 'sphere' | null = $state(null);
  /** Class given to new marks. */
  newClass: NoduleClassChoice = $state('benign');
  /** Radius of a drawn sphere, mm. */
  sphereRadiusMm = $state(5);
  /** P(malignant) per mark id, from "Classify nodule". */
  probabilities: Record<string, { probability: number; modelVersion: string | null }> = $state({});
  busy = $state(false);
  private loadedFor: string | null = null;

  constructor(
    private readonly api: Med3dApi,
    private readonly session: SessionController,
    private readonly view: ViewController,
    private readonly tasks: TasksController,
    private readonly notices: Notices,
  ) {}

  /** The marks of the open case (none without one). */
  async refresh(): Promise<void> {
    const c = this.session.currentCase;
    if (!c) {
      this.marks = [];
      this.loadedFor = null;
      return;
    }
    try {
      const list = await this.api.listNoduleMarks({ caseId: c.caseId });
      if (this.session.currentCase?.caseId !== c.caseId) return;
      if (this.loadedFor !== c.caseId) this.probabilities = {};
      this.loadedFor = c.caseId;
      this.marks = list;
    } catch (e) {
      this.notices.fail(e, 'Nodule marks');
    }
  }

  startMarking(how: 'candidate' | 'sphere'): void {
    if (!this.session.currentCase) return this.notices.notify('error', 'Open a workspace case first.');
    if (how === 'sphere' && !(this.sphereRadiusMm > 0)) return this.notices.notify('error', 'Mark nodule: the sphere radius must be a positive number of mm.');
    this.marking = this.marking === how ? null : how;
    if (this.marking) this.notices.notify('info', how === 'candidate' ? 'Click the nodule in any view: the candidate under the cursor is marked.' : `Click the nodule's centre in any view: a ${this.sphereRadiusMm} mm sphere is marked.`);
  }

  /** A click in a view while marking: marks the nodule there. Returns true when the click was taken. */
  onViewPointerDown(v: ViewName, e: PointerEvent): boolean {
    const c = this.session.currentCase;
    const how = this.marking;
    if (!how || !c) return false;
    e.stopPropagation();
    e.preventDefault();
    this.marking = null;
    const ijk = this.view.viewer ? sourceVoxelAt(this.view.viewer, v, e.clientX, e.clientY) : null;
    if (!ijk) {
      this.notices.notify('error', 'That point is outside the scan.');
      return true;
    }
    const req: AddNoduleMarkRequest = { caseId: c.caseId, center: { frame: 'voxel', coords: ijk }, ...classRequest(this.newClass), ...(how === 'sphere' ? { radiusMm: this.sphereRadiusMm } : {}) };
    this.api.addNoduleMark(req).then(
      (m) => {
        this.notices.notify('info', `${m.markId}: ${m.label}${m.malignancy ? ` (LIDC ${m.malignancy})` : ''}, radius ${m.radiusMm.toFixed(1)} mm`);
        return this.refresh();
      },
      (err: unknown) => this.notices.fail(err, 'Mark nodule'),
    );
    return true;
  }

  async setClass(m: NoduleMark, c: NoduleClassChoice): Promise<void> {
    try {
      await this.api.updateNoduleMark({ caseId: m.caseId, markId: m.markId, ...classRequest(c) });
    } catch (e) {
      this.notices.fail(e, `Class of ${m.markId}`);
    }
    await this.refresh();
  }

  async remove(m: NoduleMark): Promise<void> {
    try {
      await this.api.removeNoduleMark({ caseId: m.caseId, markId: m.markId });
    } catch (e) {
      this.notices.fail(e, `Delete ${m.markId}`);
    }
    await this.refresh();
  }

  /**
   * The marks a view's current slice cuts, as circles in client pixels: the sphere's cross-section
   * (radius √(r² − d²), d = the slice's distance from the centre in mm). Empty before a scan is shown.
   */
  circlesIn(v: ViewName): Array<{ markId: string; label: NoduleMark['label']; x: number; y: number; r: number }> {
    const viewer = this.view.viewer;
    const g = viewer?.displayGeometry;
    if (!viewer?.loaded || !g) return [];
    const axis = viewer.viewAxis(v);
    const ppm = viewer.pixelsPerMm(v);
    const out: Array<{ markId: string; label: NoduleMark['label']; x: number; y: number; r: number }> = [];
    for (const m of this.marks) {
      const d: [number, number, number] = [m.centerVoxel[0], m.centerVoxel[1], g.flipK ? g.dims[2] - 1 - m.centerVoxel[2] : m.centerVoxel[2]];
      const c = viewer.clientAtIndex(v, d);
      const here = c && viewer.indexAtClient(v, c[0], c[1]);
      if (!c || !here) continue;
      const off = Math.abs(here[axis] - d[axis]) * g.spacing[axis];
      if (off < m.radiusMm) out.push({ markId: m.markId, label: m.label, x: c[0], y: c[1], r: Math.sqrt(m.radiusMm ** 2 - off ** 2) * ppm });
    }
    return out;
  }

  /** Moves the views to the mark's centre. */
  goTo(m: NoduleMark): void {
    const viewer = this.view.viewer;
    const g = viewer?.displayGeometry;
    if (!viewer || !g) return;
    const [i, j, k] = m.centerVoxel;
    viewer.jumpTo([i, j, g.flipK ? g.dims[2] - 1 - k : k]);
  }

  async classify(m: NoduleMark): Promise<void> {
    this.busy = true;
    try {
      const r = await this.api.classifyNodule({ caseId: m.caseId, point: { frame: 'world', coords: m.centerWorld } });
      this.probabilities = { ...this.probabilities, [m.markId]: { probability: r.probability, modelVersion: r.modelVersion } };
    } catch (e) {
      this.notices.fail(e, `Classify ${m.markId}`);
    } finally {
      this.busy = false;
    }
  }

  /** Trains the nodule classifier from every mark of the workspace (the job shows in the jobs panel). */
  train(): Promise<void> {
    return this.tasks.fineTune({ task: 'nodule' });
  }
}
