import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';
import { runDemo } from '../../tasks/demo/runDemo';
import type { Vec3 } from '../../volume/Volume';
import type { LungPredictor } from '../../tasks/lung/segmentLungs';

/** `med3d demo`: the bundled default job (phantom CT → lung mask + report), no weights needed. */
export function register(program: Command): void {
  addDeviceOption(program.command('demo'))
    .description('Generate the CT phantom, segment its lungs (cold start, no weights needed) and write mask + report (Dice vs truth)')
    .option('-o, --out <dir>', 'output folder', './med3d-demo-out')
    .option('--seed <n>', 'phantom seed', '1')
    .option('--dims <IxJxK>', 'phantom grid size, e.g. 160x160x96 (default) or 512x512x300')
    .option('--model <file>', 'lung model (Med3D checkpoint or .pth with a lung decoder) instead of the cold-start method')
    .action(async (o: { out: string; seed: string; dims?: string; model?: string; device?: string }) => {
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw new CliError(`--seed: expected an integer, got '${o.seed}'`);
      let dims: Vec3 | undefined;
      if (o.dims) {
        const parts = o.dims.split('x').map(Number);
        if (parts.length !== 3 || parts.some((d) => !Number.isInteger(d) || d < 16 || d > 1024)) throw new CliError(`--dims: expected IxJxK with integers 16..1024, got '${o.dims}'`);
        dims = parts as Vec3;
      }
      let model: LungPredictor | undefined;
      if (o.model) {
        await initDeviceFromOptions(o);
        const { loadLungPredictor } = await import('../../tasks/lung/lungModel');
        model = await loadLungPredictor(o.model);
      }
      await runDemo({ outDir: o.out, seed, dims, model, log: (l) => process.stdout.write(`${l}\n`) });
    });
}
