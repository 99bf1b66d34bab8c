import { Command, CommanderError } from 'commander';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError } from './CliError';
import { commandFilesFor } from './commandFilesFor';

/**
 * The `med3d` command line. Each file in ./commands registers one command group
 * (`export function register(program: Command): void`), so adding a command never edits this file.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('med3d')
    .description('Med3D Workstation engine: read scans, run and fine-tune Med3D (MedicalNet) models, batch segmentation.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const dir = path.join(here, 'commands');
  const all = readdirSync(dir).filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.test\./.test(f) && !f.endsWith('.d.ts'));
  const texts = Object.fromEntries(all.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
  for (const f of commandFilesFor(argv, texts)) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  return program;
}

/**
 * Run one `med3d` command line (`argv` as in process.argv); sets process.exitCode. bin/med3d.mjs
 * calls it once; the fuzzer's batch worker (scripts/fuzz) calls it once per input.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 1.
      process.exitCode = err.exitCode;
      return;
    }
    // One line naming the file and the cause: scripts and users read the first line only.
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`med3d: ${msg}\n`);
    if (process.env.MED3D_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

