/**
 * The renderer is served from app://med3d/ rather than file://, so the window has a real origin
 * (IPC senders can be checked), every response carries the CSP header, and no file outside the
 * built renderer can be read by the page.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { electronCsp } from './csp';
import { mimeType } from '../server/mimeType';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://med3d';


/** Handle one app:// request (protocol.handle callback); pure apart from reading the file. */
export async function serveAppRequest(rendererDir: string, requestUrl: string): Promise<Response> {
  const url = new URL(requestUrl);
  if (url.host !== 'med3d') return new Response('not found', { status: 404 });
  let rel = decodeURIComponent(url.pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(root + path.sep)) return new Response('not found', { status: 404 });
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch {
    return new Response('not found', { status: 404 });
  }
  const headers: Record<string, string> = {
    'content-type': mimeType(file),
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  if (file.endsWith('.html')) headers['content-security-policy'] = electronCsp();
  return new Response(new Uint8Array(body), { status: 200, headers });
}
