import type { Command } from 'commander';
import { CliError } from '../CliError';
import { runBatch } from '../../tasks/batch/runBatch';
import { parseShard } from '../../tasks/batch/discoverCases';
import { TASK_NAMES, type TaskName } from '../../tasks/taskRegistry';
import { createTaskRegistry } from '../../tasks/taskDefinitions';
import { addDeviceOption, deviceFromOptions, initDeviceFromOptions } from '../deviceOption';

/**
 * `med3d batch [--task lung|liver|nodule] [--model <version|file>] --in <dir> --out <dir>
 *  [--format nifti|dicom-seg] [--resume] [--shard i/N] [--device auto|cpu|gpu|webgpu]`
 * Exit code 0: every case succeeded; 2: some failed; 1: nothing could run.
 */
export function register(program: Command): void {
  addDeviceOption(program.command('batch'))
    .description('Segment every NIfTI file and DICOM series folder below --in (recursively); outputs on each source grid plus report.json/report.csv. Exit 0 all ok, 2 some failed, 1 nothing could run')
    .option('--task <task>', `task: ${TASK_NAMES.join('|')} (optional with a model from \`med3d train\`: its task, preprocessing and labels are stored in it)`)
    .requiredOption('--in <dir>', 'input folder (searched recursively)')
    .requiredOption('--out <dir>', 'output folder (masks, report.json, report.csv)')
    .option('--model <version|file>', 'model: workspace version id, MedicalNet .pth or Med3D checkpoint, e.g. one written by `med3d train` (lung without a model: cold start)')
    .option('--workspace <dir>', 'workspace folder for model version ids')
    .option('--format <format>', 'output format: nifti|dicom-seg', 'nifti')
    .option('--resume', 'skip cases finished by an earlier run')
    .option('--shard <i/N>', 'run only shard i of N (0-based; deterministic by case id)')
    .option('--ref-dir <dir>', 'folder of reference masks (<case id>.nii.gz) for Dice; <case>_ref.nii.gz beside an input also works')
    .action(async (o: { task?: string; in: string; out: string; model?: string; workspace?: string; format: string; resume?: boolean; shard?: string; device?: string; refDir?: string }) => {
      if (o.task === undefined && !o.model) throw new CliError('--task is required without --model');
      if (o.task !== undefined && !TASK_NAMES.includes(o.task as TaskName) && !(o.model && createTaskRegistry().ids().includes(o.task))) throw new CliError(`--task: expected ${TASK_NAMES.join('|')}, got '${o.task}'`);
      if (o.format !== 'nifti' && o.format !== 'dicom-seg') throw new CliError(`--format: expected nifti|dicom-seg, got '${o.format}'`);
      deviceFromOptions(o);
      let shard: { index: number; count: number } | undefined;
      try {
        shard = o.shard ? parseShard(o.shard) : undefined;
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const summary = await runBatch({
        task: o.task as TaskName | undefined,
        inDir: o.in,
        outDir: o.out,
        model: o.model,
        workspace: o.workspace,
        format: o.format,
        resume: !!o.resume,
        shard,
        refDir: o.refDir,
        beforePrepare: o.model
          ? async () => {
              const r = await initDeviceFromOptions(o);
              return `${r.backend} (kernels ${r.kernels}, device ${r.device})`;
            }
          : undefined,
        log: (l) => process.stdout.write(`${l}\n`),
        warn: (l) => process.stderr.write(`med3d batch: ${l}\n`),
      });
      process.exitCode = summary.exitCode;
    });
}
