import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyOutcome } from './classifyOutcome';
import type { InputKind } from './mutations/Mutation';
import { FUZZ_TARGETS, rssMb, type InputOutcome, type Limits } from './runInput';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'batchWorker.ts');
const RUN_TS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'run-ts.mjs');

interface Reply {
  id?: number;
  ready?: boolean;
  code?: number;
  stderr?: string;
}

/**
 * One long-lived CLI worker that runs inputs one after another under the same limits as a
 * one-input process: a per-input timer, the resident set polled, the V8 heap capped. An input
 * that hangs, crashes or overflows the worker is charged to that input, and the worker restarts.
 */
export class BatchRunner {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;

  constructor(private readonly limits: Limits) {}

  private start(): Promise<void> {
    const child = fork(RUN_TS, [WORKER], { execArgv: [`--max-old-space-size=${this.limits.memoryMb}`], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr?.resume();
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: Reply): void => {
        if (m.ready) {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`fuzz batch worker exited at start (${code})`)));
    });
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    return this.ready;
  }

  /** Run one input; `timeoutMs` overrides the time limit for this input only. */
  async run(kind: InputKind, file: string, timeoutMs = this.limits.timeoutMs): Promise<InputOutcome> {
    if (!this.child) await this.start();
    else await this.ready;
    const child = this.child as ChildProcess;
    const id = this.nextId++;
    const t0 = Date.now();
    let timedOut = false;
    let overMemory = false;
    let peakRssMb = 0;
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      const onMsg = (m: Reply): void => {
        if (m.id !== id) return;
        cleanup();
        resolve({ code: m.code ?? null, signal: null, stderr: m.stderr ?? '' });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        resolve({ code, signal, stderr: '' });
      };
      const cleanup = (): void => {
        child.off('message', onMsg);
        child.off('exit', onExit);
      };
      child.on('message', onMsg);
      child.on('exit', onExit);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      void rssMb(child.pid).then((mb) => {
        if (mb === null) return;
        peakRssMb = Math.max(peakRssMb, mb);
        if (mb > this.limits.memoryMb && !overMemory) {
          overMemory = true;
          child.kill('SIGKILL');
        }
      });
    }, 50);
    child.send({ id, args: FUZZ_TARGETS[kind](file) });
    const r = await done;
    clearTimeout(timer);
    clearInterval(poll);
    const res = { ...r, timedOut, overMemory };
    return { ...res, ...classifyOutcome(res), durationMs: Date.now() - t0, peakRssMb: Math.round(peakRssMb) };
  }

  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}
