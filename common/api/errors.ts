/**
 * Errors crossing the API boundary travel as plain data ({code, message, file?}) and are
 * rebuilt as ApiError on the client, so the UI can show "which file, what went wrong" whatever
 * the transport (Electron IPC flattens thrown errors to a string; WebSocket carries JSON).
 */
export type ApiErrorCode =
  /** Payload failed validation (wrong type, unknown field, bad value). */
  | 'invalid-request'
  /** Method or channel does not exist. */
  | 'unknown-method'
  /** A path outside the workspace / allowed roots, or not chosen by the user. */
  | 'forbidden-path'
  /** Referenced id (volume, case, job, model version) is unknown. */
  | 'not-found'
  /** No workspace is open but the method needs one. */
  | 'no-workspace'
  /** The operation is not available in this mode (e.g. native dialogs in web mode). */
  | 'unsupported'
  /** A file could not be read or parsed (the message names it and the cause). */
  | 'bad-file'
  /** The operation was cancelled. */
  | 'cancelled'
  /** The transport is closed or the server went away. */
  | 'disconnected'
  /** Anything else. */
  | 'internal';

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  /** The file or folder the error concerns, when there is one. */
  file?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toData(): ApiErrorData {
    return this.file === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, file: this.file };
  }

  static fromData(d: ApiErrorData): ApiError {
    return new ApiError(d.code, d.message, d.file);
  }
}

const CODES: ReadonlySet<string> = new Set<ApiErrorCode>([
  'invalid-request',
  'unknown-method',
  'forbidden-path',
  'not-found',
  'no-workspace',
  'unsupported',
  'bad-file',
  'cancelled',
  'disconnected',
  'internal',
]);

function isApiErrorData(x: unknown): x is ApiErrorData {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.code === 'string' && CODES.has(o.code) && typeof o.message === 'string' && (o.file === undefined || typeof o.file === 'string');
}

/**
 * Turn anything thrown on the service side into ApiErrorData: the one mapping from main/'s errors
 * to what clients see. Errors whose `code` is an ApiErrorCode keep it; errors from other modules
 * that carry a `file`/`path` property keep it, so the UI can name the file.
 */
function toApiErrorData(err: unknown): ApiErrorData {
  if (err instanceof ApiError) return err.toData();
  if (err instanceof Error) {
    const e = err as Error & { file?: unknown; path?: unknown; code?: unknown; name: string };
    const file = typeof e.file === 'string' ? e.file : typeof e.path === 'string' ? e.path : undefined;
    let code: ApiErrorCode = 'internal';
    // main/'s own errors (WorkspaceError, JobError: main/util/CodedError) carry a code of this vocabulary.
    if (typeof e.code === 'string' && CODES.has(e.code)) code = e.code as ApiErrorCode;
    else if (e.name === 'AbortError' || e.code === 'ABORT_ERR') code = 'cancelled';
    else if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'ENOTDIR' || file !== undefined) code = 'bad-file';
    return file === undefined ? { code, message: e.message } : { code, message: e.message, file };
  }
  return { code: 'internal', message: String(err) };
}

/**
 * toApiErrorData for a failure of `what` (an API method, a job kind) as the user sees it: one line,
 * and an unexpected error (code 'internal') names what failed instead of showing a bare engine
 * message such as "Cannot read properties of undefined". Log the original for the stack.
 */
export function userErrorData(what: string, err: unknown): ApiErrorData {
  const data = toApiErrorData(err);
  if (err instanceof ApiError) return data;
  const line = data.message.split('\n')[0].trim() || 'unknown error';
  return { ...data, message: data.code === 'internal' ? `${what} failed: ${line}` : line };
}

/** The envelope every transport carries for a method call. */
export type ResponseEnvelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorData };

export function isResponseEnvelope(x: unknown): x is ResponseEnvelope {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  if (o.ok === true) return 'result' in o || Object.keys(o).length === 1;
  if (o.ok === false) return isApiErrorData(o.error);
  return false;
}
