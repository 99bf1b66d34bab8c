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
 * Commands whose engine runs in workers (serve) call `deviceForWorkers` instead: it sets the
 * device every later engine worker uses and checks that it can start, without a backend here.
 */
export function addDeviceOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--device <device>', `engine device: ${DEVICE_CHOICES.join('|')} (default: $MED3D_DEVICE or auto; auto never uses a software GPU adapter)`),
  );
}

/** Parses `o.device` (undefined: the environment's default) and makes it the default of this process and its workers. */
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

/**
 * For commands whose engine runs in worker threads (serve): sets the device for every engine worker
 * started later and, when a device that may be missing was asked for (gpu, webgpu, a pinned rung),
 * starts it once in a throwaway worker, so a missing GPU is a one-line error now, not a failed job later.
 */
export async function deviceForWorkers(o: { device?: string }): Promise<void> {
  const device = deviceFromOptions(o);
  if (!device || device === 'auto' || device === 'cpu') return;
  const { EngineWorker } = await import('../engine/worker/EngineWorker');
  const probe = new EngineWorker({ device });
  try {
    await probe.start();
  } catch (err) {
    if ((err as Error).name === 'EngineDeviceError') throw new CliError((err as Error).message, 1);
    throw err;
  } finally {
    await probe.terminate();
  }
}
