import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';
import { createTaskRegistry } from '../../tasks/taskDefinitions';
import { defaultRecipes } from '../../tasks/train/recipes';
import { trainTask, type TrainTaskOptions } from '../../tasks/train/trainTask';
import { addTrainingOptions, num, parseTrainingOptions, runInterruptible, trainingReporter, triple, type TrainingCliOptions } from '../trainingOptions';
import { parseFreeze } from '../../engine/train/freeze';
import { DatasetError } from '../../datasets';
import { WeightsError } from '../../engine/weights/WeightsError';

/**
 * `med3d train --task segment|lung|nodule --data <dataset> --out <model.m3d> [--steps N | --minutes M] …`
 * Progress on stderr (a live bar on a terminal, plain lines otherwise); `--json`: one JSON event per
 * line on stdout. Ctrl-C saves a checkpoint; `--resume` continues it exactly.
 */
interface TrainCliOptions extends TrainingCliOptions {
  task: string;
  data: string;
  out: string;
  val?: string;
  weights?: string;
  spacing?: string;
  huWindow?: string;
  headLrMult?: string;
  freeze: string;
  coords?: string;
  dropIndeterminate?: boolean;
  device?: string;
}

export function register(program: Command): void {
  const tasks = createTaskRegistry();
  const cmd = program
    .command('train')
    .description('Train a Med3D model on your own dataset (defaults: ResNet-10 width 16; segment/lung 48x48x32 patches, 2 per step; nodule 32x32x32 at 1 mm, 8 per step): writes <out>.m3d, metrics.json and learning-curves.svg/.png beside it')
    .requiredOption('--task <task>', `task: ${tasks.ids().join('|')}`)
    .requiredOption('--data <dataset>', 'dataset folder (MSD / nnU-Net / images+labels) or classification CSV')
    .requiredOption('--out <model.m3d>', 'output model file')
    .option('--val <dataset>', 'separate validation dataset (default: --val-fraction of --data)')
    .option('--weights <file>', 'start from a MedicalNet .pth (encoder-only allowed) or a Med3D .m3d (default: from scratch)')
    .option('--spacing <i,j,k>', 'target voxel size in mm (default: per-axis median of the training data)')
    .option('--hu-window <lo,hi>', 'CT window in HU before normalisation, e.g. -200,250')
    .option('--head-lr-mult <m>', 'learning-rate multiplier of the head (non-encoder) parameters', '1')
    .option('--freeze <what>', 'parameters kept fixed: none|encoder|conv1,layer1,…', 'none')
    .option('--coords <frame>', 'CSV coordinate frame: lps (default)|ras|voxel')
    .option('--drop-indeterminate', 'CSV: drop malignancy-3 rows instead of counting them benign');
  addTrainingOptions(cmd, '1e-3 from --weights, 1e-2 from scratch');
  addDeviceOption(cmd).action(async (o: TrainCliOptions) => {
    if (!tasks.ids().includes(o.task)) throw new CliError(`--task: expected ${tasks.ids().join('|')}, got '${o.task}'`, 2);
    if (o.steps === undefined && o.minutes === undefined) throw new CliError('give a budget: --steps N and/or --minutes M', 2);
    if (o.coords && !['lps', 'ras', 'voxel'].includes(o.coords)) throw new CliError(`--coords: expected lps|ras|voxel, got '${o.coords}'`, 2);
    const common = parseTrainingOptions(o);
    let hu: [number, number] | undefined;
    if (o.huWindow) {
      const p = o.huWindow.split(',').map(Number);
      if (p.length !== 2 || !p.every(Number.isFinite) || p[0] >= p[1]) throw new CliError(`--hu-window: expected lo,hi with lo < hi, got '${o.huWindow}'`, 2);
      hu = [p[0], p[1]];
    }
    let freeze;
    try {
      freeze = parseFreeze(o.freeze);
    } catch (err) {
      throw new CliError((err as Error).message, 2);
    }
    const opts: TrainTaskOptions = {
      ...common,
      task: o.task,
      data: o.data,
      out: o.out,
      val: o.val,
      weights: o.weights,
      spacing: o.spacing ? triple('--spacing', o.spacing) : undefined,
      huWindow: hu,
      headLrMult: o.headLrMult === undefined ? undefined : num('--head-lr-mult', o.headLrMult),
      freeze,
      coords: o.coords as TrainTaskOptions['coords'],
      dropIndeterminate: !!o.dropIndeterminate,
    };
    await initDeviceFromOptions(o);
    try {
      await runInterruptible('med3d train', (signal) => trainTask(tasks, defaultRecipes(), { ...opts, signal }, trainingReporter('med3d train', !!o.json)));
    } catch (err) {
      if (err instanceof DatasetError || err instanceof WeightsError) throw new CliError(err.message, 1);
      throw err;
    }
  });
}
