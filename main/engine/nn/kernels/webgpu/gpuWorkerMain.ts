/// <reference types="@webgpu/types" />
import { parentPort, workerData } from 'node:worker_threads';
import { executePlan } from './executePlan';
import { ERROR_BYTES, STATE_DONE, STATE_FAILED, type FromGpuWorker, type GpuWorkerInit, type RunMessage } from './gpuProtocol';
import { openGpuDevice } from './openGpuDevice';

/**
 * The GPU thread: owns the Dawn device, runs each plan it is sent and wakes the blocked
 * engine thread through shared memory. Every read-back here is an asynchronous mapAsync.
 */
const init = workerData as GpuWorkerInit;
const control = new Int32Array(init.control);
const errorText = new Uint8Array(init.error);
const port = parentPort!;

function finish(state: number, message = ''): void {
  if (message) {
    const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES - 1);
    errorText.set(bytes);
    errorText[bytes.length] = 0;
  }
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}

// The engine thread is blocked in Atomics.wait and cannot see this thread's 'error' event:
// a stray exception must still wake it with the message.
process.on('uncaughtException', (e) => finish(STATE_FAILED, `webgpu thread: ${e.message}`));

try {
  const { device, probe } = await openGpuDevice();
  let lost = '';
  void device.lost.then((info) => {
    lost = `GPU device lost: ${info.message || info.reason}`;
  });
  port.on('message', (msg: RunMessage) => {
    if (lost) return finish(STATE_FAILED, lost);
    executePlan(device, msg).then(
      () => finish(STATE_DONE),
      (e: unknown) => finish(STATE_FAILED, lost || (e as Error).message || String(e)),
    );
  });
  port.postMessage({ type: 'ready', probe } satisfies FromGpuWorker);
} catch (e) {
  port.postMessage({ type: 'init-error', message: (e as Error).message } satisfies FromGpuWorker);
}
