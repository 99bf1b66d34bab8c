/**
 * Deny-by-default rules for the desktop window. The renderer needs no camera, microphone,
 * notifications, USB/HID/serial devices, downloads, other pages or frames, so every such request,
 * permission check and navigation is refused unless it targets the app itself
 * (./trustedUrl). Written against Electron's types but free of side effects at import, so unit
 * tests drive it with fake sessions and web contents.
 */
import type { Event, Session, WebContents } from 'electron';

/** Refuse every permission request, permission check and device permission; cancel downloads. */
export function denyPermissions(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (e) => e.preventDefault());
}

/**
 * Keep `contents` on trusted URLs: top-level navigation, server redirects, navigation inside any
 * frame, new windows and <webview> tags are refused unless `isTrusted(url)`.
 */
export function guardNavigation(contents: WebContents, isTrusted: (url: string) => boolean): void {
  // Electron passes the URL on the event (details.url); older signatures also as a second argument.
  const refuseUntrusted = (e: Event<{ url?: string }>, legacyUrl?: unknown): void => {
    const url = typeof e.url === 'string' ? e.url : typeof legacyUrl === 'string' ? legacyUrl : '';
    if (!isTrusted(url)) e.preventDefault();
  };
  contents.on('will-navigate', refuseUntrusted);
  contents.on('will-redirect', refuseUntrusted);
  contents.on('will-frame-navigate', refuseUntrusted);
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
