/**
 * Size limits for everything read from a file a user (or an attacker) hands us: scans, checkpoints
 * and what their compressed parts inflate to. Readers check the sizes a header declares against these
 * limits and against the bytes actually present *before* allocating, so a 10 KB file can never ask for
 * gigabytes. Each limit can be changed with an environment variable (documented in docs/limits.md;
 * `med3d limits` prints the values in force).
 */
export interface ReadLimits {
  /** Voxels in one volume (all frames / slices of one scan). */
  maxVoxels: number;
  /** Bytes of voxel data in one volume, as stored in the file. */
  maxVolumeBytes: number;
  /** Bytes of one checkpoint file (.pth, .m3d) and of the tensors it materialises. */
  maxCheckpointBytes: number;
  /** Bytes one compressed stream (gzip, zip deflate, deflated DICOM) may inflate to. */
  maxDecompressedBytes: number;
}

export type LimitName = keyof ReadLimits;

const GiB = 1024 ** 3;

/**
 * Defaults fit the largest real inputs we know of (a 512×512×2000 CT is 524 M voxels / 1 GiB int16;
 * MedicalNet's ResNet-200 .pth is under 0.5 GiB) with room to spare, while staying far below what
 * would exhaust a workstation's memory.
 */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = {
  maxVoxels: 1024 ** 3,
  maxVolumeBytes: 4 * GiB,
  maxCheckpointBytes: 4 * GiB,
  maxDecompressedBytes: 4 * GiB,
};

/** The environment variable that overrides each limit. */
export const LIMIT_ENV: Readonly<Record<LimitName, string>> = {
  maxVoxels: 'MED3D_MAX_VOXELS',
  maxVolumeBytes: 'MED3D_MAX_VOLUME_BYTES',
  maxCheckpointBytes: 'MED3D_MAX_CHECKPOINT_BYTES',
  maxDecompressedBytes: 'MED3D_MAX_DECOMPRESSED_BYTES',
};

/** What each limit counts, for messages and `med3d limits`. */
export const LIMIT_DESCRIPTION: Readonly<Record<LimitName, string>> = {
  maxVoxels: 'voxels per volume',
  maxVolumeBytes: 'voxel data per volume',
  maxCheckpointBytes: 'checkpoint size',
  maxDecompressedBytes: 'decompressed size',
};

const SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 ** 4 };

/** Parse '2147483648', '2G', '512M', '1.5g' (binary units); NaN when malformed. */
export function parseLimitValue(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(raw);
  if (!m) return NaN;
  return Math.floor(Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]!);
}

/** A limit is set to something that is not a positive size. */
export class LimitConfigError extends Error {
  override name = 'LimitConfigError';
}

/** The limits in force: defaults overridden by the MED3D_MAX_* environment variables. */
export function readLimits(env: NodeJS.ProcessEnv = process.env): ReadLimits {
  const out = { ...DEFAULT_READ_LIMITS };
  for (const name of Object.keys(LIMIT_ENV) as LimitName[]) {
    const raw = env[LIMIT_ENV[name]];
    if (raw === undefined || raw === '') continue;
    const v = parseLimitValue(raw);
    if (!(v > 0) || !Number.isSafeInteger(v)) throw new LimitConfigError(`${LIMIT_ENV[name]}='${raw}' is not a positive size (e.g. 2G, 512M or a number of ${name === 'maxVoxels' ? 'voxels' : 'bytes'})`);
    out[name] = v;
  }
  return out;
}

/** A file declares more than a limit allows; the message names the limit and how to raise it. */
export class LimitExceededError extends Error {
  override name = 'LimitExceededError';
  constructor(
    readonly limit: LimitName,
    readonly value: number,
    readonly max: number,
    what: string,
  ) {
    super(`${what} (${formatSize(value, limit)}) exceeds the limit on ${LIMIT_DESCRIPTION[limit]}, ${formatSize(max, limit)} (raise it with ${LIMIT_ENV[limit]})`);
  }
}

/** Throw LimitExceededError when `value` (a declared size, possibly NaN or huge) is over `limit`. */
export function checkLimit(limit: LimitName, value: number, what: string, limits: ReadLimits = readLimits()): void {
  const max = limits[limit];
  if (!(value <= max)) throw new LimitExceededError(limit, value, max, what);
}

function formatSize(n: number, limit: LimitName): string {
  if (!Number.isFinite(n)) return String(n);
  if (limit === 'maxVoxels') return `${n.toLocaleString('en-US')} voxels`;
  if (n >= GiB) return `${(n / GiB).toFixed(n % GiB ? 2 : 0)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB`;
  return `${n} bytes`;
}
