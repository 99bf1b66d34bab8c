import type { Command } from 'commander';
import { CliError } from '../CliError';

/** `med3d serve`: the app in a browser (web mode), bound to 127.0.0.1 with a per-run token. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the Med3D Workstation to a browser on this machine (127.0.0.1 only, token in the printed URL)')
    .option('-p, --port <port>', 'port (default: a free one)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port: ${v} is not a port number`);
      return n;
    })
    .option('-w, --workspace <dir>', 'workspace folder (created when missing; default $MED3D_WORKSPACE or ~/med3d-workspace)')
    .option('-o, --open <file>', 'scan to open first (NIfTI file or DICOM folder); default: the bundled demo phantom')
    .option('-r, --root <dir>', 'extra folder the browser may open files from (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-build', 'do not build the renderer when out/renderer is missing')
    .option('--no-engine', 'do not start the engine backend at start-up')
    .action(async (opts: { port?: number; workspace?: string; open?: string; root: string[]; build: boolean; engine: boolean }) => {
      const { serveWeb } = await import('../../server/serveWeb');
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      let handle;
      try {
        handle = await serveWeb({ port: opts.port, workspace: opts.workspace, open: opts.open, roots: opts.root, build: opts.build, engine: opts.engine, log });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new CliError(`port ${opts.port} on 127.0.0.1 is already in use; choose another with --port`);
        throw new CliError(e.message);
      }
      process.stderr.write(`Med3D Workstation web mode — workspace ${handle.workspace}\nOpen this URL in a browser on this machine (Ctrl+C stops):\n`);
      // The URL alone on its own line: scripts and tests read it.
      process.stdout.write(`${handle.server.url}\n`);
      const stop = (): void => {
        void handle.close().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
