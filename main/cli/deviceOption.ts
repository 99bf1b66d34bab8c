import { Option, type Command } from 'commander';
import { DEVICE_CHOICES, DeviceChoiceError, parseDevice, setDefaultDevice, type EngineDevice } from '../engine/backend/device';
import { EngineDeviceError, initEngineBackend, type BackendReport } from '../engine/backend/selectBackend';
import { CliError } from './CliError';

/**
 * `--device auto|cpu|gpu|webgpu` for every engine command: one option, one parser, one error text.
 * Usage in a command file (train, pretrain, evaluate, batch, run-raw, ...):
 *
 *   addDeviceOption(program.command('train')...)
 *     .action(async (o) => {
 *       const backend = await initDeviceFromOptions(o);   // before loading models; CliError when unusable
 *       ...
 *     });
 *
 * Without --device the MED3D_DEVICE environment variable (alias MED3D_BACKEND) applies, else 'auto'.
 * Commands that run the engine in a worker (serve) call `deviceFromOptions` instead: it sets the
 * process default the EngineWorker passes on, without starting a backend on this thread.
 */
export function addDeviceOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--device <device>', `engine device: ${DEVICE_CHOICES.join('|')} (default: $MED3D_DEVICE or auto; auto never uses a software GPU adapter)`),
  );
}

/** Parses `o.device` (undefined: the environment's default) and makes it this process's default device. */
export function deviceFromOptions(o: { device?: string }): EngineDevice | undefined {
  try {
    const device = o.device === undefined ? undefined : parseDevice(o.device);
    if (device) setDefaultDevice(device);
    return device;
  } catch (err) {
    if (err instanceof DeviceChoiceError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** deviceFromOptions, then starts the backend ladder on this thread; an unusable device is a one-line CliError. */
export async function initDeviceFromOptions(o: { device?: string }): Promise<BackendReport> {
  const device = deviceFromOptions(o);
  try {
    return await initEngineBackend({ device });
  } catch (err) {
    if (err instanceof EngineDeviceError) throw new CliError(err.message, 1);
    if (err instanceof DeviceChoiceError) throw new CliError(err.message, 2);
    throw err;
  }
}
