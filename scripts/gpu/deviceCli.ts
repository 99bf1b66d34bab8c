/**
 * The part of the `med3d` CLI that scripts/gpu/run-on-device.sh bundles for a lent GPU machine
 * (no Node, no node_modules there): `doctor`, `run-raw` and `train-step-raw`, registered
 * statically so esbuild can follow them (the real CLI discovers command files at run time).
 *
 *   node deviceCli.js doctor --device webgpu --json
 */
import { Command } from 'commander';
import { CliError } from '../../main/cli/CliError';
import { register as registerDoctor } from '../../main/cli/commands/doctor';
import { register as registerEngine } from '../../main/cli/commands/engine';

const program = new Command('med3d').exitOverride();
registerDoctor(program);
registerEngine(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if ((err as { code?: string }).code?.startsWith('commander.')) process.exitCode = (err as { exitCode?: number }).exitCode ?? 1;
  else {
    process.stderr.write(`med3d: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}
