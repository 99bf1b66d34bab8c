import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, deviceForWorkers } from '../deviceOption';

/** `med3d serve`: the app in a browser (web mode), bound to 127.0.0.1 with a per-run token. */
export function register(program: Command): void {
  addDeviceOption(program.command('serve'))
    .description('Serve the Med3D Workstation to a browser on this machine (127.0.0.1 only, token in the printed URL)')
    .option('-p, --port <port>', 'port (default: a free one)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port: ${v} is not a port number`);
      return n;
    })
    .option('-w, --workspace <dir>', 'workspace folder (created when missing; default $MED3D_WORKSPACE or ~/med3d-workspace)')
    .option('-o, --open <file>', 'scan to open first (NIfTI file or DICOM folder); default: the bundled demo phantom')
    .option('-r, --root <dir>', 'extra folder the browser may read scans from and write exports/batch outputs to (repeatable; the working directory is not one unless given: --root .)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--ws-max-message-mb <MiB>', 'largest WebSocket API message, JSON plus binary frames (default $MED3D_WS_MAX_MESSAGE_MB or 2048)')
    .option('--ws-max-connection-mb <MiB>', 'most bytes of unanswered API requests per connection (default $MED3D_WS_MAX_CONNECTION_MB or 4096)')
    .option('--no-build', 'do not build the renderer when out/renderer is missing')
    .option('--no-engine', 'do not start the engine backend at start-up')
    .action(async (opts: { port?: number; workspace?: string; open?: string; root: string[]; build: boolean; engine: boolean; wsMaxMessageMb?: string; wsMaxConnectionMb?: string; device?: string }) => {
      await deviceForWorkers(opts);
      const [{ serveWeb }, { resolveWsLimits, describeWsLimits }] = await Promise.all([import('../../server/serveWeb'), import('../../server/wsLimits')]);
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      let limits;
      try {
        limits = resolveWsLimits({ maxMessageMb: opts.wsMaxMessageMb, maxConnectionMb: opts.wsMaxConnectionMb });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      let handle;
      try {
        handle = await serveWeb({ port: opts.port, workspace: opts.workspace, open: opts.open, roots: opts.root, build: opts.build, engine: opts.engine, limits, log });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new CliError(`port ${opts.port} on 127.0.0.1 is already in use; choose another with --port`);
        throw new CliError(e.message);
      }
      const roots = handle.roots.length ? handle.roots.join(', ') : 'none (add some with --root <dir>)';
      process.stderr.write(
        `Med3D Workstation web mode — workspace ${handle.workspace}\n` +
          `Folders the browser may read and write besides the workspace: ${roots}; the working directory is not one unless given with --root\n` +
          `${describeWsLimits(handle.server.limits)}\n` +
          `Open this URL in a browser on this machine (Ctrl+C stops):\n`,
      );
      // The URL alone on its own line: scripts and tests read it.
      process.stdout.write(`${handle.server.url}\n`);
      const stop = (): void => {
        void handle.close().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
