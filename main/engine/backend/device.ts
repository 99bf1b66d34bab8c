/**
 * The one spelling of "where should the engine run": `--device` on every engine command and, as the
 * one environment fallback (also how the Electron app is told), `MED3D_DEVICE` (`MED3D_BACKEND` is a
 * deprecated alias of it, kept because scripts written before `--device` set it).
 *
 *   auto    best rung that works; never a software (fallback) GPU adapter
 *   cpu     best CPU rung: tfjs-node → native oneDNN → plain tfjs
 *   gpu     best GPU rung: webgpu (hardware adapter) → tfjs-node-gpu (CUDA); error when none
 *   webgpu  the webgpu rung; a software adapter (SwiftShader) is allowed because it was asked for
 *
 * For parity checks and diagnostics one rung can also be pinned by name (`native`, `tfjs`,
 * `tfjs-node`, `tfjs-node-gpu`); a pinned rung that cannot start is an error, never a fallback.
 */

export const DEVICE_CHOICES = ['auto', 'cpu', 'gpu', 'webgpu'] as const;
const PINNED_RUNGS = ['tfjs-node-gpu', 'tfjs-node', 'native', 'tfjs'] as const;

export type DeviceChoice = (typeof DEVICE_CHOICES)[number];
export type EngineDevice = DeviceChoice | (typeof PINNED_RUNGS)[number];

/** Older spellings still accepted (MED3D_BACKEND=js in scripts written before `--device`). */
const LEGACY: Record<string, EngineDevice> = { js: 'tfjs' };

/** Thrown for a device value that is not one of the accepted spellings. */
export class DeviceChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceChoiceError';
  }
}

/** `where` names the source in the error, e.g. '--device' or 'MED3D_DEVICE'. */
export function parseDevice(value: string, where = '--device'): EngineDevice {
  const v = value.trim().toLowerCase();
  if ((DEVICE_CHOICES as readonly string[]).includes(v) || (PINNED_RUNGS as readonly string[]).includes(v)) return v as EngineDevice;
  const legacy = LEGACY[v];
  if (legacy) return legacy;
  throw new DeviceChoiceError(`${where}: unknown device '${value}' (expected ${DEVICE_CHOICES.join('|')}, or a rung to pin: ${PINNED_RUNGS.join('|')})`);
}

/**
 * Makes `device` the default of this process and of every thread or worker started afterwards
 * (the web mode's service host, engine workers): `--device X` acts as MED3D_DEVICE=X.
 */
export function setDefaultDevice(device: EngineDevice): void {
  process.env.MED3D_DEVICE = device;
}

/** The device to use when a caller gives none: MED3D_DEVICE (alias MED3D_BACKEND), else 'auto'. */
export function defaultDevice(env: NodeJS.ProcessEnv = process.env): EngineDevice {
  if (env.MED3D_DEVICE) return parseDevice(env.MED3D_DEVICE, 'MED3D_DEVICE');
  if (env.MED3D_BACKEND) return parseDevice(env.MED3D_BACKEND, 'MED3D_BACKEND (alias of MED3D_DEVICE)');
  return 'auto';
}
