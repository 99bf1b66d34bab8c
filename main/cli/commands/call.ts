import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, deviceForWorkers } from '../deviceOption';
import type { JobInfo } from '../../../common/api/types';
import type { ApiEventHub } from '../../../common/api/ApiEventHub';

/**
 * `med3d call <method> [json]`: every capability of the app, headless. It runs the same
 * Med3dService the desktop app and web mode use, against a workspace folder, validates the
 * request with the same schemas, and waits for jobs the call starts (fine-tuning, tasks, nodule
 * classification) while printing their progress — so scripts get exactly what the UI gets.
 */
interface CallOptions {
  workspace?: string;
  root: string[];
  wait: boolean;
  out?: string;
}

function parseRequest(method: string, json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch (err) {
    throw new CliError(`${method}: the request is not valid JSON (${(err as Error).message})`);
  }
}

function jobIdOf(result: unknown): string | null {
  if (result && typeof result === 'object' && 'jobId' in result && typeof (result as { jobId: unknown }).jobId === 'string') {
    return (result as { jobId: string }).jobId;
  }
  return null;
}

export function register(program: Command): void {
  addDeviceOption(program.command('call'))
    .description('Call any Med3D API method headless on a workspace, e.g. `med3d call fineTune \'{"task":"lung"}\' -w ws` (waits for the job it starts); `med3d call --list` lists the methods')
    .argument('[method]', 'API method name (see common/api/Med3dApi.ts)')
    .argument('[request]', 'request as JSON (omit for methods without arguments)')
    .option('-w, --workspace <dir>', 'workspace folder (created when missing; default $MED3D_WORKSPACE or ~/med3d-workspace)')
    .option('-r, --root <dir>', 'extra folder the call may read files from (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-wait', 'return as soon as a job is started instead of waiting for it')
    .option('-o, --out <file>', 'write a binary result (voxels) to this file')
    .option('--list', 'list the method names')
    .action(async (method: string | undefined, json: string | undefined, opts: CallOptions & { list?: boolean; device?: string }) => {
      const { REQUEST_SCHEMAS } = await import('../../../common/api/Med3dApi');
      const methods = Object.keys(REQUEST_SCHEMAS).sort();
      if (opts.list || !method) {
        process.stdout.write(`${methods.join('\n')}\n`);
        return;
      }
      if (!methods.includes(method)) throw new CliError(`unknown API method '${method}' (med3d call --list shows them)`);
      const request = parseRequest(method, json);
      await deviceForWorkers(opts); // jobs run in engine workers, which take the device from here

      const [{ Med3dService }, { createApiDispatcher }, { defaultWorkspaceDir }] = await Promise.all([
        import('../../server/Med3dService'),
        import('../../../common/api/dispatcher'),
        import('../../server/serveWeb'),
      ]);
      const svc = await Med3dService.create({
        mode: 'web',
        version: '0.1.0',
        workspace: opts.workspace ?? defaultWorkspaceDir(),
        // A shell user's own process: the working directory is an allowed folder and the base of
        // relative paths (the web and desktop modes have neither).
        roots: [process.cwd(), ...opts.root],
        pathBase: process.cwd(),
        configDir: null,
        log: (m) => void process.stderr.write(`${m}\n`),
      });
      try {
        const dispatch = createApiDispatcher(svc);
        const res = await dispatch(method as never, request);
        if (!res.ok) throw new CliError(`${method}: ${res.error.file ? `${res.error.file}: ` : ''}${res.error.message}`);
        let result: unknown = res.result;
        if (result instanceof ArrayBuffer) {
          if (!opts.out) throw new CliError(`${method} returns binary data: give --out <file>`);
          await writeFile(opts.out, new Uint8Array(result));
          process.stdout.write(`${JSON.stringify({ wrote: opts.out, bytes: result.byteLength })}\n`);
          return;
        }
        const jobId = opts.wait ? jobIdOf(result) : null;
        if (jobId) result = await waitForJob(svc, jobId, opts.workspace ?? defaultWorkspaceDir());
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        await svc.dispose();
        // The engine worker a job started stays up for the next job; a one-shot CLI call must not
        // wait for it. Exit once stdout has drained (unref: never keeps a finished process alive).
        process.stdout.write('', () => setTimeout(() => process.exit(process.exitCode ?? 0), 20).unref());
      }
    });
}

/**
 * Ctrl-C while waiting stops the call the way closing the app does: the service is disposed (a
 * resumable job such as fine-tuning writes its checkpoint and stays resumable) and the error says
 * how to continue. A second Ctrl-C exits at once.
 */
async function waitForJob(
  svc: { getJob(r: { jobId: string }): Promise<JobInfo>; events: ApiEventHub },
  jobId: string,
  workspace: string,
): Promise<unknown> {
  const final = new Set(['done', 'failed', 'cancelled']);
  const job = await new Promise<JobInfo>((resolve, reject) => {
    let last = '';
    let current: JobInfo | null = null;
    const interrupt = (): void => {
      off();
      process.once('SIGINT', () => process.exit(130));
      const title = current?.title ?? jobId;
      reject(new CliError(current?.resumable ? `${title}: interrupted; continue it with: med3d call resumeJob '${JSON.stringify({ jobId })}' -w ${workspace}` : `${title}: interrupted (cancelled)`));
    };
    const report = (j: JobInfo): void => {
      if (j.id !== jobId) return;
      current = j;
      const line = `${j.title}: ${j.state} ${Math.round(j.progress * 100)}% ${j.message}${j.etaSeconds != null ? ` (ETA ${Math.round(j.etaSeconds)} s)` : ''}`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
      if (final.has(j.state)) {
        off();
        resolve(j);
      }
    };
    const unsubscribe = svc.events.on('jobUpdate', report);
    const off = (): void => {
      unsubscribe();
      process.off('SIGINT', interrupt);
    };
    process.once('SIGINT', interrupt);
    // The job may have finished before we subscribed.
    void svc.getJob({ jobId }).then(report);
  });
  if (job.state !== 'done') {
    const file = job.error?.file ? `${job.error.file}: ` : '';
    throw new CliError(`${job.title}: ${job.state}${job.error ? `: ${file}${job.error.message}` : ''}`);
  }
  return job.result ?? null;
}
