import type { JobServices } from '../jobs/JobServices';

const notHere = (what: string): never => {
  throw new Error(`${what} needs the app (med3d serve or the desktop app), not a CLI command`);
};

/**
 * What a job kind run by a CLI command (runJobHere) gets from its host: no open workspace (the
 * command passes --workspace as a parameter), no case volumes, no follow-up jobs.
 */
export const CLI_JOB_SERVICES: JobServices = {
  workspace: () => null,
  loadCaseVolume: () => notHere('loading a workspace case'),
  registerVolume: () => notHere('showing a volume'),
  startJob: () => notHere('starting another job'),
};
