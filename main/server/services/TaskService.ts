import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { JsonValue } from '../../../common/api/schema';
import type { LabelVersionInfo, NoduleResult, Vec3 } from '../../../common/api/types';
import { tasksOfLabelValues } from '../../tasks/jobs/taskLabels';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/** Tasks trained by their own job kind instead of 'finetune' (which trains from masks): nodules learn from the nodule marks. */
const FINETUNE_KIND: Partial<Record<R.FineTuneRequest['task'], string>> = { nodule: 'nodule:finetune' };

/** Tasks the 'finetune' job trains from masks (nodule models learn from patches, not masks). */
const MASK_TRAINED = new Set(['lung', 'liver']);

/** Tasks on cases through the registered job kinds: segmentation, fine-tuning (manual and automatic), nodule classification. */
export class TaskService implements SliceOf<'tasks'> {
  constructor(private readonly ctx: ServiceContext) {}

  private requireKind(kind: string, what: string): void {
    if (!this.ctx.jobs.kinds().includes(kind)) throw new ApiError('unsupported', `${what} is not available: no '${kind}' job kind is registered (task modules missing from this build)`);
  }

  async runTask(req: R.RunTaskRequest): Promise<{ jobId: string }> {
    this.requireKind('predict', `${req.task} segmentation`);
    await this.ctx.workspace().getCase(req.caseId);
    const params: JsonValue = req.modelVersion ? { task: req.task, modelVersion: req.modelVersion } : { task: req.task };
    return { jobId: this.ctx.jobs.start({ kind: 'predict', params, caseId: req.caseId }) };
  }

  async fineTune(req: R.FineTuneRequest): Promise<{ jobId: string }> {
    const kind = FINETUNE_KIND[req.task] ?? 'finetune';
    this.requireKind(kind, 'fine-tuning');
    const params: { [k: string]: JsonValue } = { task: req.task, trigger: 'manual' };
    if (req.caseIds) params.caseIds = req.caseIds;
    if (req.steps) params.steps = req.steps;
    if (req.minutes) params.minutes = req.minutes;
    if (req.promotion) params.promotion = req.promotion;
    if (req.from) {
      // Refused here, not as a failed job: an unknown or other-task version is a bad request.
      if (req.from !== 'scratch' && req.from !== 'cold-start') {
        const m = this.ctx.workspace().getModel(req.from);
        if (m.task !== req.task) throw new ApiError('invalid-request', `from: model version ${req.from} is a ${m.task} model, not ${req.task}`);
      }
      params.from = req.from;
    }
    if (req.caseId) await this.ctx.workspace().getCase(req.caseId);
    return { jobId: this.ctx.jobs.start({ kind, params, ...(req.caseId ? { caseId: req.caseId } : {}) }) };
  }

  /**
   * Setting 'automatic': a corrected/verified save starts fine-tuning of each task whose label
   * values the save contains (main/tasks/jobs/taskLabels: 1, 2 → lung, 3 → liver), when the task
   * code registered 'finetune' and that task is not already training.
   */
  autoFineTune(info: LabelVersionInfo): void {
    const { jobs } = this.ctx;
    if (this.ctx.workspace().settings().fineTune !== 'automatic') return;
    if (info.status !== 'corrected' && info.status !== 'verified') return;
    if (!jobs.kinds().includes('finetune')) return;
    const tasks = tasksOfLabelValues(Object.keys(info.voxelCounts).map(Number)).filter((t) => MASK_TRAINED.has(t));
    const training = (task: string): boolean =>
      jobs.list().some((j) => j.kind === 'finetune' && (j.state === 'queued' || j.state === 'running') && (jobs.params(j.id) as { task?: unknown } | null)?.task === task);
    for (const task of tasks) {
      if (training(task)) continue;
      try {
        const title = `Fine-tune ${task} model (automatic, after saving ${info.caseId} v${info.version})`;
        jobs.start({ kind: 'finetune', params: { task, trigger: 'save' }, caseId: info.caseId, title });
      } catch (err) {
        this.ctx.opts.log?.(`automatic fine-tuning of ${task} not started: ${(err as Error).message}`);
      }
    }
  }

  async classifyNodule(req: R.ClassifyNoduleRequest): Promise<NoduleResult> {
    const { jobs, store } = this.ctx;
    this.requireKind('nodule:classify', 'nodule classification');
    await this.ctx.workspace().getCase(req.caseId);
    const params: { [k: string]: JsonValue } = { point: { frame: req.point.frame, coords: req.point.coords } };
    if (req.modelVersion) params.modelVersion = req.modelVersion;
    const job = await jobs.wait(jobs.start({ kind: 'nodule:classify', params, caseId: req.caseId }));
    if (job.state !== 'done') throw new ApiError(job.error?.code ?? 'internal', job.error?.message ?? `nodule classification ${job.state}`, job.error?.file);
    const r = job.result as { probability?: unknown; centerVoxel?: unknown; centerWorld?: unknown; patchVolumeId?: unknown; modelVersion?: unknown } | null;
    if (!r || typeof r.probability !== 'number' || typeof r.patchVolumeId !== 'string') throw new ApiError('internal', 'nodule classification returned no probability/patch');
    return {
      probability: r.probability,
      label: r.probability >= 0.5 ? 'malignant' : 'benign',
      patch: structuredClone(store.get(r.patchVolumeId).header),
      centerVoxel: r.centerVoxel as Vec3,
      centerWorld: r.centerWorld as Vec3,
      modelVersion: typeof r.modelVersion === 'string' ? r.modelVersion : null,
    };
  }
}
