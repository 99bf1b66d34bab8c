import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';

/**
 * How EngineWorker talks to its engine worker, whatever runs it: a Node worker thread (default)
 * or an Electron utility process (a separate OS process: a crash in a GPU driver or native kernel
 * cannot take the app's main process down). The worker side is workerPort.ts.
 */
export interface EngineChannel {
  postMessage(msg: ToWorker, transfer?: ArrayBuffer[]): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  onceError(fn: (err: Error) => void): void;
  onceExit(fn: (code: number | null) => void): void;
  terminate(): Promise<void>;
}

/** Starts an engine worker from `entry` and returns the channel to it. */
export type SpawnEngine = (entry: URL | string) => EngineChannel;

/** A worker thread. The WebGPU provider may point the Vulkan loader at a driver through environment
 * variables that the process (not a per-thread copy) must see, hence SHARE_ENV. */
export function threadChannel(opts: { maxOldGenerationSizeMb?: number } = {}): SpawnEngine {
  return (entry) => {
    const w = new Worker(entry, { env: SHARE_ENV, resourceLimits: opts.maxOldGenerationSizeMb ? { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb } : undefined });
    return {
      postMessage: (msg, transfer = []) => w.postMessage(msg, transfer),
      onMessage: (fn) => void w.on('message', fn),
      onceError: (fn) => void w.once('error', fn),
      onceExit: (fn) => void w.once('exit', fn),
      terminate: async () => void (await w.terminate()),
    };
  };
}

/** The shape of Electron's UtilityProcess that we use (typed here so the engine never imports electron). */
export interface UtilityProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  once(event: 'error', listener: (type: string, location: string) => void): unknown;
  kill(): boolean;
}

/**
 * An Electron utility process: pass `(entry) => utilityProcess.fork(fileURLToPath(entry), [], { serviceName: 'Med3D engine' })`
 * from the main process. Messages are structured clones (buffers are copied, not transferred).
 */
export function utilityProcessChannel(fork: (entry: URL | string) => UtilityProcessLike): SpawnEngine {
  return (entry) => {
    const child = fork(entry);
    let exited: Promise<void> | null = null;
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      postMessage: (msg) => child.postMessage(msg),
      onMessage: (fn) => void child.on('message', (m) => fn(m as FromWorker)),
      onceError: (fn) => void child.once('error', (type, location) => fn(new Error(`engine process ${type}${location ? ` at ${location}` : ''}`))),
      onceExit: (fn) => void child.once('exit', fn),
      terminate: () => {
        if (!exited) {
          child.kill();
          exited = exit;
        }
        return exited;
      },
    };
  };
}
