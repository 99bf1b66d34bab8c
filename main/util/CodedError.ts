import type { ApiErrorCode } from '../../common/api/errors';

/**
 * Base of the errors main/ modules throw for their callers to act on (WorkspaceError, JobError):
 * a code from the API's vocabulary and the file concerned, but not an API error. The one mapping
 * to what clients see is common/api/errors.ts (`toApiErrorData`), used by the dispatcher for every
 * transport and by the job manager for failed jobs.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}
