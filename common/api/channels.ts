/**
 * Channel names used on Electron IPC (and as message names on WebSocket). All start with
 * 'med3d:' so both sides can reject anything else; the preload only forwards these.
 */
import { isEventName, isMethodName, type EventName, type MethodName } from './Med3dApi';

export const CHANNEL_PREFIX = 'med3d:';
const EVENT_PREFIX = 'med3d:event:';

/** 'openVolume' → 'med3d:openVolume' (renderer → main, invoke/handle). */
export function methodChannel(m: MethodName): string {
  return `${CHANNEL_PREFIX}${m}`;
}

/** 'jobUpdate' → 'med3d:event:jobUpdate' (main → renderer, send/on). */
export function eventChannel(e: EventName): string {
  return `${EVENT_PREFIX}${e}`;
}

export function methodFromChannel(channel: unknown): MethodName | null {
  if (typeof channel !== 'string' || !channel.startsWith(CHANNEL_PREFIX)) return null;
  const m = channel.slice(CHANNEL_PREFIX.length);
  return isMethodName(m) ? m : null;
}

export function eventFromChannel(channel: unknown): EventName | null {
  if (typeof channel !== 'string' || !channel.startsWith(EVENT_PREFIX)) return null;
  const e = channel.slice(EVENT_PREFIX.length);
  return isEventName(e) ? e : null;
}

/**
 * Preload-only channels: the renderer cannot reach them through the bridge's invoke().
 * grantPaths carries paths of files the user really dropped (resolved by the preload with
 * webUtils.getPathForFile), which the main process then accepts like dialog choices.
 */
export const INTERNAL_CHANNELS = {
  grantPaths: 'med3d:internal:grantPaths',
} as const;
