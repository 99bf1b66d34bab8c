/**
 * The renderer is served from app://med3d/ rather than file://, so the window has a real origin
 * (IPC senders can be checked), every response carries the CSP header, and no file outside the
 * built renderer can be read by the page (symlinks included: ../server/resolveStaticFile).
 */
import { promises as fs } from 'node:fs';
import { electronCsp } from './csp';
import { mimeType } from '../server/mimeType';
import { resolveStaticFile } from '../server/resolveStaticFile';

export const APP_SCHEME = 'app';
export const APP_HOST = 'med3d';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Handle one app:// request (protocol.handle callback); never throws, whatever the URL. */
export async function serveAppRequest(rendererDir: string, requestUrl: string): Promise<Response> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('bad request', { status: 400 });
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404 });
  const found = await resolveStaticFile(rendererDir, url.pathname);
  if (!found.ok) return new Response(found.status === 400 ? 'bad request' : 'not found', { status: found.status });
  let body: Buffer;
  try {
    body = await fs.readFile(found.file);
  } catch {
    return new Response('not found', { status: 404 });
  }
  const headers: Record<string, string> = {
    'content-type': mimeType(found.file),
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  if (found.file.endsWith('.html')) headers['content-security-policy'] = electronCsp();
  return new Response(new Uint8Array(body), { status: 200, headers });
}
