import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';
import { addTrainingOptions, parseTrainingOptions, runInterruptible, trainingReporter, type TrainingCliOptions } from '../trainingOptions';
import { DEFAULT_PRETRAIN_MINUTES, pretrainEncoder } from '../../tasks/pretrain/pretrainEncoder';
import { DatasetError } from '../../datasets';
import { WeightsError } from '../../engine/weights/WeightsError';

/**
 * `med3d pretrain --data <ds1> --data <ds2> … --out <encoder.m3d> [--pth <encoder.pth>] [--steps N | --minutes M] …`
 * Med3D multi-domain pretraining: one shared encoder, one light branch per dataset. The encoder
 * goes to --out (and --pth in MedicalNet's key layout); `med3d train --weights` takes either.
 */
interface PretrainCliOptions extends TrainingCliOptions {
  data: string[];
  out: string;
  pth?: string;
  device?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description('Med3D multi-domain pretraining of a shared encoder on several segmentation datasets (one branch each): writes the encoder .m3d (and --pth), <out stem>.branches.m3d, metrics.json and learning curves')
    .requiredOption('--data <dataset>', 'segmentation dataset folder (MSD / nnU-Net / images+labels); repeat for each dataset', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--out <encoder.m3d>', 'encoder checkpoint to write')
    .option('--pth <encoder.pth>', "also write the encoder as a PyTorch file in MedicalNet's key layout (module.conv1.weight …)");
  addDeviceOption(addTrainingOptions(cmd, `default 1e-2 (from scratch); budget default ${DEFAULT_PRETRAIN_MINUTES} minutes`)).action(async (o: PretrainCliOptions) => {
    const common = parseTrainingOptions(o);
    await initDeviceFromOptions(o);
    try {
      await runInterruptible('med3d pretrain', (signal) => pretrainEncoder({ ...common, data: o.data, out: o.out, pth: o.pth, signal }, trainingReporter('med3d pretrain', !!o.json)));
    } catch (err) {
      if (err instanceof DatasetError || err instanceof WeightsError) throw new CliError(err.message, 1);
      throw err;
    }
  });
}
