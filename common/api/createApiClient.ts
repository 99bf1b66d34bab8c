import { ApiError, isResponseEnvelope } from './errors';
import { EVENT_NAMES, METHOD_NAMES, subscribeMethodName, type Med3dApi, type Unsubscribe } from './Med3dApi';
import type { ApiTransport } from './transport';

/**
 * Build the renderer-side proxy: every Med3dApi method forwards to the transport and unwraps
 * the response envelope (failures become ApiError with code, message and file).
 */
export function createApiClient(transport: ApiTransport): Med3dApi {
  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = async (payload?: unknown): Promise<unknown> => {
      const env = await transport.invoke(method, payload);
      if (!isResponseEnvelope(env)) throw new ApiError('internal', `${method}: malformed response from the server`);
      if (!env.ok) throw ApiError.fromData(env.error);
      return env.result;
    };
  }
  for (const event of EVENT_NAMES) {
    api[subscribeMethodName(event)] = (cb: (p: unknown) => void): Unsubscribe => transport.subscribe(event, cb);
  }
  return api as unknown as Med3dApi;
}
