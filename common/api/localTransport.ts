import type { ApiEventHub } from './ApiEventHub';
import type { ApiDispatch } from './dispatcher';
import type { EventName, Unsubscribe } from './Med3dApi';
import type { ApiTransport } from './transport';

/**
 * In-process transport (CLI, tests): payloads go through structuredClone so a caller can
 * never share mutable state with the service, exactly as over IPC.
 */
export function createLocalTransport(dispatch: ApiDispatch, hub: ApiEventHub): ApiTransport {
  return {
    invoke: async (method, payload) => structuredClone(await dispatch(method, structuredClone(payload))),
    subscribe: (event: EventName, cb: (p: unknown) => void): Unsubscribe => hub.onAny((e, p) => (e === event ? cb(structuredClone(p)) : undefined)),
  };
}
