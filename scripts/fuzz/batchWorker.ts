// Child process of the fuzzer's batch mode (batchRunner.ts): runs one `med3d` command line per IPC
// message through the real CLI entry (runCli), capturing what it writes to stderr and its exit
// code, and answers with them. Loading the CLI once instead of once per input is what makes
// thousands of inputs affordable; the parent still owns the time and memory limits, and reruns
// every failing input in a process of its own before it counts.
import { runCli } from '../../main/cli/index';

interface Job {
  id: number;
  args: string[];
}

let stderr = '';
const CAP = 64 * 1024;
process.stdout.write = (() => true) as typeof process.stdout.write;
process.stderr.write = ((chunk: string | Uint8Array) => {
  if (stderr.length < CAP) stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return true;
}) as typeof process.stderr.write;

// Escaped errors would print a stack and end a one-input process: report them as that input's outcome.
let current: Job | null = null;
const escaped = (err: unknown): void => {
  const e = err instanceof Error ? `${err.stack ?? err.message}` : String(err);
  process.send?.({ id: current?.id ?? -1, code: 1, stderr: `${stderr}${e}\n`, escaped: true }, () => process.exit(1));
};
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);

process.on('message', (job: Job) => {
  current = job;
  stderr = '';
  process.exitCode = undefined;
  void runCli(['node', 'med3d', ...job.args]).then(() => {
    const code = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    current = null;
    process.send?.({ id: job.id, code, stderr });
  }, escaped);
});
process.send?.({ ready: true });
