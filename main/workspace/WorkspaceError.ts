import { CodedError } from '../util/CodedError';

/** What the workspace refuses (unknown case or version, a conflicting save, a file it cannot read), with the file concerned. */
export class WorkspaceError extends CodedError {
  override name = 'WorkspaceError';
}
