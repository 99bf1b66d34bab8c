/**
 * Which URLs the desktop window may show and which IPC senders are ours: the app:// origin, and
 * in development the electron-vite dev server. Compared by parsed origin, never by string
 * prefix (`http://localhost:5173.evil.com` starts with `http://localhost:5173`).
 */
import { APP_HOST, APP_SCHEME } from './appProtocol';

function parse(u: string): URL | null {
  try {
    return new URL(u);
  } catch {
    return null;
  }
}

export function isTrustedUrl(u: string, devServer?: string): boolean {
  const url = parse(u);
  if (!url) return false;
  // app: is registered as a standard scheme in Electron, but Node's URL gives non-special
  // schemes the origin "null": compare scheme and host instead.
  if (url.protocol === `${APP_SCHEME}:`) return url.host === APP_HOST && !url.username && !url.password;
  const dev = devServer ? parse(devServer) : null;
  return !!dev && (dev.protocol === 'http:' || dev.protocol === 'https:') && url.origin === dev.origin;
}
