import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../CliError';
import { WeightsError, asWeightsError } from '../../engine/weights/WeightsError';
import { isEngineError } from '../../util/readerErrorMessage';
import { loadWeights, type LoadedWeights } from '../../engine/weights/loadWeights';
import { saveCheckpoint } from '../../engine/weights/checkpoint';
import { writePth } from '../../engine/weights/writePth';
import { describeSpec } from '../../engine/weights/checkAgainstSpec';
import { parameterCount } from '../../engine/weights/inferArchitecture';

/**
 * `med3d weights …`: look inside weight files and convert between PyTorch .pth and our checkpoints.
 *   inspect <file> [--json] [--keys]   format, inferred architecture, tensor and parameter counts
 *   import <in.pth> <out.m3d>          PyTorch (zip or legacy) → Med3D checkpoint
 *   export <ours> <out.pth>            Med3D checkpoint (or any .pth) → PyTorch zip .pth
 * Errors are one line, `med3d: <file>: <cause>`, exit code 1.
 */
async function guarded<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WeightsError) throw new CliError(err.message, 1);
    // An engine error from summarising what was read is still about this file: one line naming it.
    if (isEngineError(err)) throw new CliError(asWeightsError(file, err).message, 1);
    throw err;
  }
}

function summary(file: string, w: LoadedWeights, topLevelKeys: string[] | undefined): Record<string, unknown> {
  const ck = w.checkpoint;
  return {
    file,
    kind: w.kind,
    format: w.format,
    architecture: describeSpec(w.spec),
    spec: w.spec,
    tensorCount: w.stateDict.size,
    parameterCount: parameterCount(w.stateDict),
    ...(topLevelKeys ? { topLevelKeys } : {}),
    ...(ck ? { meta: ck.meta, optimizer: ck.optimizer ? { kind: ck.optimizer.kind, step: ck.optimizer.step, tensors: ck.optimizer.state.size } : null } : {}),
    notes: w.notes ?? [],
  };
}

export function register(program: Command): void {
  const weights = program.command('weights').description('Inspect weight files and convert between PyTorch .pth and Med3D checkpoints');

  weights
    .command('inspect')
    .description('Show a weight file\'s format, inferred architecture (depth, block, shortcut, width, head), tensor and parameter counts')
    .argument('<file>', 'a PyTorch .pth (zip or legacy format) or a Med3D checkpoint (.m3d)')
    .option('--json', 'print the report as JSON')
    .option('--keys', 'also list every tensor (name, dtype, shape)')
    .action(async (file: string, opts: { json?: boolean; keys?: boolean }) =>
      guarded(file, async () => {
        const w = await loadWeights(file);
        const top = w.topLevelKeys;
        const report = summary(file, w, top);
        const keys = [...w.stateDict].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(opts.keys ? { ...report, keys } : report, null, 2)}\n`);
          return;
        }
        const lines = [
          `file:          ${file}`,
          `format:        ${w.kind === 'pth' ? `PyTorch .pth (${w.format} format)` : 'Med3D checkpoint'}`,
          `architecture:  ${describeSpec(w.spec)}`,
          `tensors:       ${w.stateDict.size}`,
          `parameters:    ${parameterCount(w.stateDict).toLocaleString('en-US')}`,
        ];
        if (top) lines.push(`top-level keys: ${top.length ? top.join(', ') : '(bare state dict)'}`);
        const ck = w.checkpoint;
        if (ck) {
          lines.push(`created:       ${ck.meta.createdAt}`);
          if (ck.meta.task) lines.push(`task:          ${ck.meta.task}`);
          if (ck.meta.parent) lines.push(`parent:        ${ck.meta.parent}`);
          if (ck.meta.history?.length) lines.push(`history:       ${ck.meta.history.length} entries`);
          lines.push(`optimizer:     ${ck.optimizer ? `${ck.optimizer.kind}, step ${ck.optimizer.step}, ${ck.optimizer.state.size} tensors` : 'none'}`);
        }
        for (const n of w.notes ?? []) lines.push(`note:          ${n}`);
        if (opts.keys) for (const k of keys) lines.push(`  ${k.name}  ${k.dtype}  [${k.shape.join(', ')}]`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );

  weights
    .command('import')
    .description('Convert a PyTorch .pth (e.g. a MedicalNet release) into a Med3D checkpoint, checking and recording its architecture')
    .argument('<in>', 'PyTorch .pth (zip or legacy format)')
    .argument('<out>', 'Med3D checkpoint to write (.m3d)')
    .option('--task <name>', 'task to record in the checkpoint metadata (e.g. lung-segmentation)')
    .action(async (input: string, out: string, opts: { task?: string }) =>
      guarded(input, async () => {
        const w = await loadWeights(input);
        if (w.kind !== 'pth') throw new CliError(`${input}: already a Med3D checkpoint (use it directly, or 'weights export' for a .pth)`, 1);
        await saveCheckpoint(out, {
          spec: w.spec,
          stateDict: w.stateDict,
          meta: { createdAt: new Date().toISOString(), source: path.resolve(input), ...(opts.task ? { task: opts.task } : {}) },
        });
        process.stdout.write(`${out}: ${describeSpec(w.spec)}, ${w.stateDict.size} tensors\n`);
      }),
    );

  weights
    .command('export')
    .description("Write a Med3D checkpoint's weights as a PyTorch-loadable .pth (zip format, {'state_dict': …} with 'module.' keys like MedicalNet)")
    .argument('<ours>', 'Med3D checkpoint (a .pth is accepted too: re-exports it in zip format)')
    .argument('<out>', 'PyTorch .pth to write')
    .option('--no-prefix', "write keys without the 'module.' prefix")
    .option('--bare', "write the bare state dict instead of {'state_dict': …}")
    .action(async (input: string, out: string, opts: { prefix: boolean; bare?: boolean }) =>
      guarded(input, async () => {
        const w = await loadWeights(input);
        await writePth(out, w.stateDict, { prefix: opts.prefix ? 'module.' : '', wrap: !opts.bare });
        process.stdout.write(`${out}: ${describeSpec(w.spec)}, ${w.stateDict.size} tensors (torch.load-compatible)\n`);
      }),
    );
}
