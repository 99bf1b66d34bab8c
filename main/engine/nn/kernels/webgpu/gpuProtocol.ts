import type { GpuPlan } from './GpuPlan';
import type { WebGpuProbe } from './openGpuDevice';

/**
 * Messages between the engine thread (SyncGpuClient) and the GPU thread (gpuWorkerMain).
 * The engine thread blocks on `control[0]` with Atomics.wait while a plan runs, so results and
 * errors come back through shared memory, not messages.
 */
export const STATE_BUSY = 0;
export const STATE_DONE = 1;
export const STATE_FAILED = 2;
/** Bytes of the shared error-text buffer. */
export const ERROR_BYTES = 4096;

export interface GpuWorkerInit {
  /** Int32Array(1) over this: the run state above. */
  control: SharedArrayBuffer;
  /** UTF-8 error text of a failed run (NUL-terminated). */
  error: SharedArrayBuffer;
}

export interface RunMessage {
  type: 'run';
  plan: GpuPlan;
  /** Inputs then outputs, packed float32. */
  data: SharedArrayBuffer;
  /** Float offset and length of each input / output in `data`. */
  inputs: [number, number][];
  outputs: [number, number][];
}

export type FromGpuWorker = { type: 'ready'; probe: WebGpuProbe } | { type: 'init-error'; message: string };
