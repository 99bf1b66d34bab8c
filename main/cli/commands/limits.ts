import type { Command } from 'commander';
import { DEFAULT_READ_LIMITS, LIMIT_DESCRIPTION, LIMIT_ENV, LimitConfigError, readLimits, type LimitName } from '../../util/readLimits';
import { CliError } from '../CliError';

/** One row of `med3d limits --json`. */
export interface LimitRow {
  name: LimitName;
  description: string;
  value: number;
  default: number;
  env: string;
  /** Whether the environment variable overrides the default. */
  overridden: boolean;
}

/** `med3d limits`: the size limits every scan and checkpoint reader applies, and how to change them. */
export function register(program: Command): void {
  program
    .command('limits')
    .description('Show the size limits applied when reading scans and checkpoints (voxels, bytes, decompressed size) and the variables that change them')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      let limits;
      try {
        limits = readLimits();
      } catch (err) {
        if (err instanceof LimitConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      const rows: LimitRow[] = (Object.keys(LIMIT_ENV) as LimitName[]).map((name) => ({
        name,
        description: LIMIT_DESCRIPTION[name],
        value: limits[name],
        default: DEFAULT_READ_LIMITS[name],
        env: LIMIT_ENV[name],
        overridden: limits[name] !== DEFAULT_READ_LIMITS[name],
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const lines = rows.map((r) => `${r.description.padEnd(22)} ${r.value.toLocaleString('en-US').padStart(16)}${r.overridden ? ' (set)    ' : ' (default)'}  ${r.env}`);
      process.stdout.write(`${lines.join('\n')}\nSizes accept K, M, G suffixes (binary), e.g. ${LIMIT_ENV.maxVoxels}=2G. See docs/limits.md.\n`);
    });
}
