import { ApiError, toApiErrorData, type ResponseEnvelope } from './errors';
import { REQUEST_SCHEMAS, isMethodName, type Med3dApiMethods, type MethodName } from './Med3dApi';

export type ApiDispatch = (method: unknown, payload: unknown) => Promise<ResponseEnvelope>;

/**
 * Service side of every transport: checks the method name, validates the payload against its
 * schema, calls the implementation and wraps the result or error in an envelope. Never throws.
 */
export function createApiDispatcher(impl: Med3dApiMethods, opts: { onError?: (method: string, err: unknown) => void } = {}): ApiDispatch {
  return async (method, payload) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown-method', message: `unknown API method ${JSON.stringify(String(method)).slice(0, 80)}` } };
    }
    try {
      const req = REQUEST_SCHEMAS[method].parse(payload, '');
      const fn = impl[method] as ((r: unknown) => Promise<unknown>) | undefined;
      if (typeof fn !== 'function') throw new ApiError('unsupported', `${method} is not implemented by this server`);
      const result = await fn.call(impl, req);
      return { ok: true, result: result === undefined ? null : result };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err.toData() };
      opts.onError?.(method, err);
      // Unexpected errors reach the client as one line that names the call (the stack goes to
      // onError's log), never as a bare engine message such as "Invalid typed array length".
      const data = toApiErrorData(err);
      const line = data.message.split('\n')[0].trim() || 'unknown error';
      return { ok: false, error: { ...data, message: data.code === 'internal' ? `${method} failed: ${line}` : line } };
    }
  };
}

export type { MethodName };
