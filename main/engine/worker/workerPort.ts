import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';

/**
 * The engine worker's line to its host, whichever runtime started it:
 *   - a Node worker thread (EngineWorker in the CLI, the web mode's service host, Electron's main
 *     process): worker_threads' parentPort, with ArrayBuffers transferred;
 *   - an Electron utility process (`utilityProcess.fork(engineWorkerMain.js)`): `process.parentPort`,
 *     whose messages arrive as `{ data }` events and whose postMessage copies (it transfers only
 *     MessagePorts), so buffers are copied there.
 * The WebGPU provider runs in a worker thread of its own inside either, holding Dawn's GPU object
 * for that thread's life.
 */
export interface WorkerPort {
  readonly kind: 'worker-thread' | 'utility-process';
  post(msg: FromWorker, transfer?: ArrayBuffer[]): void;
  onMessage(handler: (msg: ToWorker) => void): void;
}

/** Electron's `process.parentPort` in a utility process (typed here: this module must not import electron). */
interface UtilityParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export function hostPort(): WorkerPort {
  if (parentPort) {
    const port = parentPort;
    return { kind: 'worker-thread', post: (msg, transfer = []) => port.postMessage(msg, transfer), onMessage: (h) => void port.on('message', h) };
  }
  const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (utility) {
    return { kind: 'utility-process', post: (msg) => utility.postMessage(msg), onMessage: (h) => void utility.on('message', (e) => h(e.data as ToWorker)) };
  }
  throw new Error('the engine worker must run in a worker thread or an Electron utility process');
}
