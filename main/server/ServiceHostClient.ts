/**
 * Main-process side of the hosted service: Med3dService runs in a worker thread, this object gives
 * the IPC binding a dispatch function and an event hub, answers native-dialog requests and
 * forwards path grants. If the worker dies, pending calls fail as data and the next call
 * starts a fresh one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApiEventHub } from '../../common/api/ApiEventHub';
import { isEventName } from '../../common/api/Med3dApi';
import type { ApiDispatch } from '../../common/api/dispatcher';
import type { ResponseEnvelope } from '../../common/api/errors';
import type { NativeDialogs } from './Med3dService';
import type { FromServiceHost, ServiceHostInit, ToServiceHost } from './serviceHostProtocol';

/** The entry beside this module: the tsx shim beside the sources, else the compiled CLI's serviceHostMain.js (out/cli). */
export function defaultServiceHostEntry(): URL {
  const shim = new URL('./serviceHostEntry.mjs', import.meta.url);
  return existsSync(fileURLToPath(shim)) ? shim : new URL('./serviceHostMain.js', import.meta.url);
}

export interface ServiceHostClientOptions {
  /** Worker entry: bundled serviceHost.js, or defaultServiceHostEntry(). */
  entry: string | URL;
  init: ServiceHostInit;
  dialogs?: NativeDialogs;
  log?: (msg: string) => void;
}

export class ServiceHostClient {
  readonly events = new ApiEventHub();
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private seq = 0;
  private readonly calls = new Map<number, (env: ResponseEnvelope) => void>();
  private readonly grants = new Map<number, { resolve: (p: string) => void; reject: (e: Error) => void }>();
  private disposed: (() => void) | null = null;

  constructor(private readonly opts: ServiceHostClientOptions) {}

  /** Start the worker (also done lazily by the first call); rejects when the service cannot open. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const w = new Worker(this.opts.entry, { workerData: this.opts.init });
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromServiceHost) => {
        if (m.t === 'ready') resolve();
        else if (m.t === 'failed') reject(new Error(m.message));
        else this.onMessage(m);
      });
      w.on('error', (e) => {
        this.opts.log?.(`service host crashed: ${e.message}`);
        reject(e);
      });
      w.on('exit', (code) => {
        this.failAll(`the Med3D service stopped (exit code ${code})`);
        if (this.worker === w) {
          this.worker = null;
          this.ready = null;
        }
        reject(new Error(`service host exited (${code}) before it was ready`));
        this.disposed?.();
      });
    });
    return this.ready;
  }

  private onMessage(m: FromServiceHost): void {
    if (m.t === 'result') {
      this.calls.get(m.id)?.(m.env);
      this.calls.delete(m.id);
    } else if (m.t === 'event') {
      if (isEventName(m.event)) this.events.emit(m.event, m.payload as never);
    } else if (m.t === 'granted') {
      const g = this.grants.get(m.id);
      this.grants.delete(m.id);
      if (m.path) g?.resolve(m.path);
      else g?.reject(new Error(m.error ?? 'path refused'));
    } else if (m.t === 'dialog') {
      const answer = (p: string | null): void => this.post({ t: 'dialogResult', id: m.id, path: p });
      if (!this.opts.dialogs) answer(null);
      else this.opts.dialogs.choose(m.purpose).then(answer, () => answer(null));
    } else if (m.t === 'log') {
      this.opts.log?.(m.message);
    } else if (m.t === 'disposed') {
      this.disposed?.();
    }
  }

  private post(m: ToServiceHost): void {
    this.worker?.postMessage(m);
  }

  private failAll(message: string): void {
    for (const [, resolve] of this.calls) resolve({ ok: false, error: { code: 'internal', message } });
    this.calls.clear();
    for (const [, g] of this.grants) g.reject(new Error(message));
    this.grants.clear();
  }

  readonly dispatch: ApiDispatch = async (method, payload) => {
    try {
      await this.start();
    } catch (err) {
      return { ok: false, error: { code: 'internal', message: `the Med3D service could not start: ${(err as Error).message}` } };
    }
    const id = ++this.seq;
    return new Promise<ResponseEnvelope>((resolve) => {
      this.calls.set(id, resolve);
      try {
        this.post({ t: 'call', id, method: String(method), payload });
      } catch (err) {
        this.calls.delete(id);
        resolve({ ok: false, error: { code: 'invalid-request', message: `payload cannot be sent: ${(err as Error).message}` } });
      }
    });
  };

  /** Accept a user-chosen path (dialog, drop, recent file) in the hosted service's PathGuard. */
  async grant(p: string): Promise<string> {
    await this.start();
    const id = ++this.seq;
    return new Promise<string>((resolve, reject) => {
      this.grants.set(id, { resolve, reject });
      this.post({ t: 'grant', id, path: p });
    });
  }

  /** Stop jobs and the worker. */
  async dispose(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      this.disposed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.post({ t: 'dispose' });
    });
    await w.terminate();
  }
}
