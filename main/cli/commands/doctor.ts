import type { Command } from 'commander';
import { describeBackend, initEngineBackend, type BackendPreference } from '../../engine/backend/selectBackend';
import { CliError } from '../CliError';

/** `med3d doctor [--json] [--prefer <rung>]`: which engine backend runs here, and why not a faster one. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('Report the engine backend (tfjs-node-gpu, tfjs-node, native oneDNN, plain tfjs), threads, SIMD, native build status and why a faster backend is not used')
    .option('--json', 'print the report as JSON')
    .option('--prefer <backend>', 'start the ladder at auto | gpu | cpu | native | js', 'auto')
    .action(async (opts: { json?: boolean; prefer: string }) => {
      const prefer = opts.prefer as BackendPreference;
      if (!['auto', 'gpu', 'cpu', 'native', 'js'].includes(prefer)) {
        throw new CliError(`doctor: unknown --prefer '${opts.prefer}' (expected auto, gpu, cpu, native or js)`, 2);
      }
      const report = await initEngineBackend({ prefer });
      const n = process.versions;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...report, node: n.node, electron: n.electron ?? null, platform: `${process.platform}-${process.arch}` }, null, 2)}\n`);
      } else {
        process.stdout.write(`${describeBackend(report)}\nNode ${n.node}${n.electron ? `, Electron ${n.electron}` : ''}, ${process.platform}-${process.arch}\n`);
      }
    });
}
