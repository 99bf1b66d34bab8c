import type { EventName, MethodName, Unsubscribe } from './Med3dApi';

/**
 * What a client needs from a transport: call a method (resolving to a ResponseEnvelope, checked
 * by the client) and subscribe to an event. Implementations: IPC (ipcTransport.ts), WebSocket
 * (wsTransport.ts), in-process (localTransport.ts).
 */
export interface ApiTransport {
  invoke(method: MethodName, payload: unknown): Promise<unknown>;
  subscribe(event: EventName, cb: (payload: unknown) => void): Unsubscribe;
  close?(): void;
}

/**
 * The object the Electron preload exposes as `window.med3d` (contextBridge): two functions,
 * channel names must start with 'med3d:'. Structured clone carries ArrayBuffers.
 */
export interface Med3dBridge {
  invoke(channel: string, payload?: unknown): Promise<unknown>;
  on(channel: string, cb: (payload: unknown) => void): Unsubscribe;
  /** Absolute paths of dropped File objects (Electron only), granted to the main process. */
  droppedPaths?(files: File[]): Promise<string[]>;
}
