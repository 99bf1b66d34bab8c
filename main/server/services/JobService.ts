import type * as R from '../../../common/api/requests';
import type { JobInfo } from '../../../common/api/types';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/** Background jobs of any registered kind (main/jobs): start, cancel, follow. */
export class JobService implements SliceOf<'jobs'> {
  constructor(private readonly ctx: ServiceContext) {}

  async startJob(req: R.StartJobRequest): Promise<{ jobId: string }> {
    if (req.caseId) await this.ctx.workspace().getCase(req.caseId);
    return { jobId: await this.ctx.jobs.submit({ kind: req.kind, params: req.params ?? null, caseId: req.caseId, title: req.title }) };
  }

  async cancelJob(req: R.JobRef): Promise<void> {
    this.ctx.jobs.cancel(req.jobId);
  }

  async getJob(req: R.JobRef): Promise<JobInfo> {
    return this.ctx.jobs.get(req.jobId);
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.ctx.jobs.list();
  }

  async resumeJob(req: R.JobRef): Promise<{ jobId: string }> {
    return { jobId: this.ctx.jobs.resume(req.jobId) };
  }

  async listJobKinds(): Promise<string[]> {
    return this.ctx.jobs.kinds();
  }
}
