import { eventChannel, methodChannel } from './channels';
import type { EventName, MethodName, Unsubscribe } from './Med3dApi';
import type { ApiTransport, Med3dBridge } from './transport';

/** Renderer side of the Electron transport: forwards to the preload bridge (`window.med3d`). */
export function createIpcTransport(bridge: Med3dBridge): ApiTransport {
  return {
    invoke: (method: MethodName, payload: unknown): Promise<unknown> => bridge.invoke(methodChannel(method), payload),
    subscribe: (event: EventName, cb: (p: unknown) => void): Unsubscribe => bridge.on(eventChannel(event), cb),
  };
}
