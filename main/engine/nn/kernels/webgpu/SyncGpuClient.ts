import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { GpuPlan } from './GpuPlan';
import { ERROR_BYTES, STATE_BUSY, STATE_DONE, type FromGpuWorker, type GpuWorkerInit, type RunMessage } from './gpuProtocol';
import type { WebGpuProbe } from './openGpuDevice';

/**
 * The engine thread's handle on the GPU thread. `run` is synchronous — it posts the plan and
 * blocks on Atomics.wait until the GPU thread has read the results back — which is what lets
 * the KernelProvider keep its synchronous methods while every GPU read-back stays mapAsync.
 * Blocking is fine here: the engine never runs on Electron's main loop (worker thread or CLI).
 */
export interface SyncGpuClientOptions {
  /** Longest a single plan may take before the call fails (default 10 min: SwiftShader is slow). */
  timeoutMs?: number;
}

/** The GPU thread's entry: the tsx shim beside the sources, else the bundled .js. */
function gpuWorkerEntry(): URL {
  const shim = new URL('./gpuWorkerEntry.mjs', import.meta.url);
  return existsSync(fileURLToPath(shim)) ? shim : new URL('./gpuWorkerMain.js', import.meta.url);
}

export class SyncGpuClient {
  private broken = '';

  private constructor(
    private readonly worker: Worker,
    private readonly control: Int32Array,
    private readonly errorText: Uint8Array,
    readonly probe: WebGpuProbe,
    private readonly timeoutMs: number,
  ) {}

  /** Starts the GPU thread; rejects with the thread's one-line reason when no device opens. */
  static async start(opts: SyncGpuClientOptions = {}): Promise<SyncGpuClient> {
    const init: GpuWorkerInit = { control: new SharedArrayBuffer(4), error: new SharedArrayBuffer(ERROR_BYTES) };
    // SHARE_ENV: the thread may set VK_ICD_FILENAMES (prepareVulkan) for the whole process.
    const worker = new Worker(gpuWorkerEntry(), { workerData: init, env: SHARE_ENV });
    const probe = await new Promise<WebGpuProbe>((resolve, reject) => {
      worker.once('message', (m: FromGpuWorker) => (m.type === 'ready' ? resolve(m.probe) : reject(new Error(m.message))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the WebGPU thread exited during start-up (code ${code})`)));
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    worker.removeAllListeners('exit');
    // An idle GPU thread must not keep the process alive.
    worker.unref();
    return new SyncGpuClient(worker, new Int32Array(init.control), new Uint8Array(init.error), probe, opts.timeoutMs ?? 600_000);
  }

  /** Runs `plan` on `inputs` (float32 data in plan-input order) and returns its outputs. */
  run(plan: GpuPlan, inputs: ArrayLike<number>[], outputLengths: number[]): Float32Array[] {
    if (this.broken) throw new Error(`webgpu ${plan.label}: ${this.broken}`);
    let total = 0;
    const place = (len: number): [number, number] => {
      const at: [number, number] = [total, len];
      total += len;
      return at;
    };
    const inAt = inputs.map((a) => place(a.length));
    const outAt = outputLengths.map(place);
    const data = new SharedArrayBuffer(Math.max(4, total * 4));
    const floats = new Float32Array(data);
    inputs.forEach((a, k) => floats.set(a, inAt[k][0]));
    Atomics.store(this.control, 0, STATE_BUSY);
    this.worker.postMessage({ type: 'run', plan, data, inputs: inAt, outputs: outAt } satisfies RunMessage);
    if (Atomics.wait(this.control, 0, STATE_BUSY, this.timeoutMs) === 'timed-out') {
      // A late answer would land in a later call's wait: this client is finished.
      this.broken = `the GPU did not answer an earlier call within ${this.timeoutMs / 1000} s`;
      this.dispose();
      throw new Error(`webgpu ${plan.label}: no answer from the GPU within ${this.timeoutMs / 1000} s`);
    }
    if (Atomics.load(this.control, 0) !== STATE_DONE) {
      const end = this.errorText.indexOf(0);
      throw new Error(new TextDecoder().decode(this.errorText.slice(0, end < 0 ? undefined : end)));
    }
    return outAt.map(([off, len]) => floats.slice(off, off + len));
  }

  dispose(): void {
    void this.worker.terminate();
  }
}
