/**
 * Size limits of the web mode's WebSocket API, so one client cannot make the server buffer
 * unbounded data (a 128 MiB text frame, or 1024 binary frames of 2 GiB each). Defaults fit a
 * label map of a large CT (one uint8 voxel per byte); `med3d serve --ws-max-message-mb/
 * --ws-max-connection-mb` or MED3D_WS_MAX_MESSAGE_MB / MED3D_WS_MAX_CONNECTION_MB change them.
 */
export interface WsLimits {
  /** One API message: its JSON text frame plus all its binary frames, bytes. Default 2048 MiB. */
  maxMessageBytes: number;
  /** Bytes of API requests one connection has sent that are not answered yet. Default 4096 MiB. */
  maxConnectionBytes: number;
  /** One JSON text frame (the message header; voxels travel in binary frames). 16 MiB, or less when maxMessageBytes is smaller. */
  maxTextBytes: number;
}

const MiB = 2 ** 20;
export const DEFAULT_WS_LIMITS: WsLimits = { maxMessageBytes: 2048 * MiB, maxConnectionBytes: 4096 * MiB, maxTextBytes: 16 * MiB };

/** ws' frame-length field and Node Buffers stop here. */
const FRAME_CEILING = 2 ** 31 - 1;

function mib(value: string | number | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what}: ${String(value)} is not a positive number of MiB`);
  return Math.floor(n * MiB);
}

/**
 * Limits from explicit MiB values (command-line flags), else the environment, else the defaults.
 * Throws a one-line error naming the flag or variable for a value that is not a positive number.
 */
export function resolveWsLimits(o: { maxMessageMb?: number | string; maxConnectionMb?: number | string } = {}, env: NodeJS.ProcessEnv = process.env): WsLimits {
  const maxMessageBytes =
    mib(o.maxMessageMb, '--ws-max-message-mb') ?? mib(env.MED3D_WS_MAX_MESSAGE_MB, 'MED3D_WS_MAX_MESSAGE_MB') ?? DEFAULT_WS_LIMITS.maxMessageBytes;
  const maxConnectionBytes =
    mib(o.maxConnectionMb, '--ws-max-connection-mb') ?? mib(env.MED3D_WS_MAX_CONNECTION_MB, 'MED3D_WS_MAX_CONNECTION_MB') ?? DEFAULT_WS_LIMITS.maxConnectionBytes;
  return wsLimits({ maxMessageBytes, maxConnectionBytes });
}

/** Complete a partial set of byte limits with the defaults, keeping them consistent. */
export function wsLimits(o: Partial<WsLimits> = {}): WsLimits {
  const maxMessageBytes = o.maxMessageBytes ?? DEFAULT_WS_LIMITS.maxMessageBytes;
  const maxConnectionBytes = Math.max(o.maxConnectionBytes ?? DEFAULT_WS_LIMITS.maxConnectionBytes, 1);
  const maxTextBytes = Math.min(o.maxTextBytes ?? DEFAULT_WS_LIMITS.maxTextBytes, maxMessageBytes, FRAME_CEILING);
  return { maxMessageBytes, maxConnectionBytes, maxTextBytes };
}

/** The largest single frame ws should accept (it refuses bigger ones from the frame header, before buffering). */
export function maxFrameBytes(l: WsLimits): number {
  return Math.min(l.maxMessageBytes, l.maxConnectionBytes, FRAME_CEILING);
}

/** One line for the start-up banner. */
export function describeWsLimits(l: WsLimits): string {
  const m = (b: number): string => `${Math.round((b / MiB) * 100) / 100} MiB`;
  return `WebSocket limits: ${m(l.maxMessageBytes)} per API message, ${m(l.maxConnectionBytes)} unanswered per connection, ${m(l.maxTextBytes)} per text frame (--ws-max-message-mb, --ws-max-connection-mb)`;
}
