export { JobManager, type JobManagerOptions, type StartJobOptions } from './JobManager';
export { JobRegistry, jobRegistry, registerJobKind, type JobContext, type JobKindHandler } from './jobRegistry';
export type { JobServices } from './JobServices';
export { loadJobKinds } from './loadJobKinds';
