import { CodedError } from '../util/CodedError';

/** What the job manager refuses (unknown kind or job, bad parameters, a path outside the allowed folders). */
export class JobError extends CodedError {
  override name = 'JobError';
}
