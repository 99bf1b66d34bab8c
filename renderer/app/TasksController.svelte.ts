import type { FineTuneRequest, JobInfo, Med3dApi } from '../../common/api';
import type { ViewName } from '../viewer/MprViewer';
import type { Notices } from './Notices.svelte';
import { sourceVoxelAt } from './sourceVoxelAt';
import type { SessionController } from './SessionController.svelte';
import type { TaskEntry } from './tasks';
import type { ViewController } from './ViewController.svelte';

export interface NoduleOutcome {
  probability: number;
  label: string;
  /** Centre voxel, rounded, as "i, j, k". */
  at: string;
}

/** Running tasks on the open case and following jobs (progress, curves, results, failures). */
export class TasksController {
  jobs: JobInfo[] = $state([]);
  selectedJob: string | null = $state(null);
  /** The point task waiting for a click in a view, or null. */
  picking: TaskEntry | null = $state(null);
  noduleResult: NoduleOutcome | null = $state(null);
  /** The job whose curves are shown: the selected one, else the newest with curves. */
  readonly shownJob = $derived(this.jobs.find((j) => j.id === this.selectedJob) ?? this.jobs.find((j) => j.curves && Object.keys(j.curves).length > 0) ?? null);

  constructor(
    private readonly api: Med3dApi,
    private readonly session: SessionController,
    private readonly view: ViewController,
    private readonly notices: Notices,
  ) {}

  /** Loads the job list and follows its updates; returns the unsubscribe. */
  subscribe(): () => void {
    void this.api.listJobs().then(
      (j) => (this.jobs = [...j.reverse(), ...this.jobs.filter((x) => !j.some((y) => y.id === x.id))]),
      (e: unknown) => this.notices.fail(e, 'List jobs'),
    );
    return this.api.onJobUpdate((j) => this.onJob(j));
  }

  /** Runs one task of the task list on the open case. */
  async runTask(task: TaskEntry): Promise<void> {
    const c = this.session.currentCase;
    if (!c) return this.notices.notify('error', 'Open a workspace case first.');
    if (task.kind === 'point') {
      this.picking = task;
      this.notices.notify('info', 'Click the centre of the nodule in any view.');
      return;
    }
    try {
      this.selectedJob = (await this.api.runTask({ task: task.id, caseId: c.caseId })).jobId;
    } catch (e) {
      this.notices.fail(e, task.label);
    }
  }

  /** A click in a view while a point task waits: the task runs at that voxel. Returns true when the click was taken. */
  onViewPointerDown(v: ViewName, e: PointerEvent): boolean {
    const viewer = this.view.viewer;
    const c = this.session.currentCase;
    if (!this.picking || !viewer || !c) return false;
    e.stopPropagation();
    e.preventDefault();
    this.picking = null;
    const ijk = sourceVoxelAt(viewer, v, e.clientX, e.clientY);
    if (!ijk) {
      this.notices.notify('error', 'That point is outside the scan.');
      return true;
    }
    this.api.classifyNodule({ caseId: c.caseId, point: { frame: 'voxel', coords: [ijk[0], ijk[1], ijk[2]] } }).then(
      (r) => (this.noduleResult = { probability: r.probability, label: r.label, at: r.centerVoxel.map((x) => Math.round(x)).join(', ') }),
      (err: unknown) => this.notices.fail(err, 'Classify nodule'),
    );
    return true;
  }

  /** Starts fine-tuning (time budget, starting model, promotion); the new job is selected in the jobs panel. */
  async fineTune(req: FineTuneRequest): Promise<void> {
    try {
      const caseId = req.caseId ?? this.session.currentCase?.caseId;
      this.selectedJob = (await this.api.fineTune(caseId ? { ...req, caseId } : req)).jobId;
    } catch (e) {
      this.notices.fail(e, `Fine-tune ${req.task}`);
    }
  }

  /** Continues an interrupted fine-tuning from its last checkpoint, under the same job id. */
  async resume(jobId: string): Promise<void> {
    try {
      this.selectedJob = (await this.api.resumeJob({ jobId })).jobId;
    } catch (e) {
      this.notices.fail(e, 'Resume');
    }
  }

  cancel(jobId: string): void {
    this.api.cancelJob({ jobId }).catch((e: unknown) => this.notices.fail(e, 'Cancel'));
  }

  private onJob(j: JobInfo): void {
    const prev = this.jobs.find((x) => x.id === j.id);
    this.jobs = prev ? this.jobs.map((x) => (x.id === j.id ? j : x)) : [j, ...this.jobs];
    const c = this.session.currentCase;
    // A finished job may have written a label for the open case (prediction, re-prediction after fine-tuning).
    if (prev && prev.state !== 'done' && j.state === 'done' && c && (j.caseId === c.caseId || j.caseId === undefined)) void this.session.refreshCase();
    if (j.state === 'failed' && prev?.state !== 'failed' && j.error) this.notices.notify('error', `${j.title}: ${j.error.message}`, j.error.file);
  }
}
