import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyOutcome, type ChildResult, type OutcomeClass } from './classifyOutcome';
import type { InputKind } from './mutations/Mutation';

const MED3D = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'med3d.mjs');

/** The CLI command each kind of input goes through: the commands the issue names. */
export const FUZZ_TARGETS: Readonly<Record<InputKind, (file: string) => string[]>> = {
  nifti: (f) => ['info', '--json', f],
  dicom: (f) => ['info', '--json', f],
  pth: (f) => ['weights', 'inspect', f],
};

export interface Limits {
  /** Wall-clock limit per input (ms). */
  timeoutMs: number;
  /** Memory limit per input (MiB): V8 heap cap and resident-set ceiling. */
  memoryMb: number;
}

export interface InputOutcome extends ChildResult {
  cls: OutcomeClass;
  why: string;
  durationMs: number;
  peakRssMb: number;
}

/** Resident set of a process in MiB (Linux /proc); null where unavailable. */
export async function rssMb(pid: number): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const m = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : null;
}

const CAP = 64 * 1024;

/** Run one file through `med3d` in its own process under the limits, and classify the result. */
export async function runInput(kind: InputKind, file: string, limits: Limits): Promise<InputOutcome> {
  const t0 = Date.now();
  const env = { ...process.env };
  delete env.MED3D_DEBUG;
  const child = spawn(process.execPath, [`--max-old-space-size=${limits.memoryMb}`, MED3D, ...FUZZ_TARGETS[kind](file)], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < CAP) stderr += d.toString();
  });
  let timedOut = false;
  let overMemory = false;
  let peakRssMb = 0;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limits.timeoutMs);
  const poll = setInterval(() => {
    if (child.pid === undefined) return;
    void rssMb(child.pid).then((mb) => {
      if (mb === null) return;
      peakRssMb = Math.max(peakRssMb, mb);
      if (mb > limits.memoryMb && !overMemory) {
        overMemory = true;
        child.kill('SIGKILL');
      }
    });
  }, 50);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  clearInterval(poll);
  const r: ChildResult = { code, signal, stderr, timedOut, overMemory };
  return { ...r, ...classifyOutcome(r), durationMs: Date.now() - t0, peakRssMb: Math.round(peakRssMb) };
}
