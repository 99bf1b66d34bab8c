import { ApiError, userErrorData, type ResponseEnvelope } from './errors';
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
      // Unexpected errors reach the client as one line naming the call; the stack goes to onError's log.
      const error = userErrorData(method, err);
      if (error.code === 'internal') opts.onError?.(method, err);
      return { ok: false, error };
    }
  };
}

