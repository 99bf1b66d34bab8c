import type { Command } from 'commander';
import { CliError } from '../CliError';
import type { JsonValue } from '../../../common/api/schema';
import type { BatchReport } from '../../../common/api/types';
import { JobRegistry } from '../../jobs/jobRegistry';
import { JobParamsError, runJobHere } from '../../jobs/runJobHere';
import { register as registerBatchKind } from '../../tasks/jobs/batch.job';
import { stopTaskEngine } from '../../tasks/jobs/taskEngine';
import { TASK_NAMES } from '../../tasks/taskRegistry';
import { CLI_JOB_SERVICES } from '../cliJobServices';
import { addDeviceOption, deviceFromOptions } from '../deviceOption';

/**
 * `med3d batch [--task lung|liver|nodule] [--model <version|file>] --in <dir> --out <dir>
 *  [--format nifti|dicom-seg] [--resume] [--shard i/N] [--device auto|cpu|gpu|webgpu]`
 * Exit code 0: every case succeeded; 2: some failed; 1: nothing could run.
 * Runs the app's 'batch' job kind (tasks/jobs/batch.job.ts) in this process: same parameters, same
 * checks, same engine-worker job; log lines on stdout, failed cases on stderr.
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
      deviceFromOptions(o);
      const registry = new JobRegistry();
      registerBatchKind(registry);
      const params = Object.fromEntries(
        Object.entries({ task: o.task, in: o.in, out: o.out, model: o.model, workspace: o.workspace, format: o.format, resume: o.resume, shard: o.shard, refDir: o.refDir }).filter(([, v]) => v !== undefined),
      ) as JsonValue;
      try {
        const report = (await runJobHere(registry, 'batch', params, {
          services: CLI_JOB_SERVICES,
          onProgress: (_f, line) => line !== undefined && process.stdout.write(`${line}\n`),
          onWarning: (line) => process.stderr.write(`med3d batch: ${line}\n`),
        })) as unknown as BatchReport;
        process.exitCode = report.exitCode;
      } catch (err) {
        if (err instanceof JobParamsError) throw new CliError(err.message.replace(/^batch(\.| )/, '--'), 2);
        // The job's own one-line reason (unusable --device, nothing could run): exit 1 as before.
        process.stderr.write(`med3d batch: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await stopTaskEngine();
      }
    });
}
