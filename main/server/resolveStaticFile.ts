/**
 * Map a request path onto a file of the built renderer, for both ways the renderer is served
 * (web mode over HTTP, the desktop window's app:// protocol). The file must really be inside the
 * renderer folder: the path is decoded without throwing, resolved lexically, then by real path,
 * so neither `..` nor a symlink inside out/renderer can reach other files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isInside } from './isInside';
import { decodePath } from './requestTarget';

export type StaticFile =
  | { ok: true; file: string; size: number }
  /** 400: malformed path; 404: outside the folder or not a file (`rel` is the decoded path, e.g. '/index.html'). */
  | { ok: false; status: 400 | 404; rel: string };

export async function resolveStaticFile(root: string, rawPath: string): Promise<StaticFile> {
  let rel = decodePath(rawPath);
  if (rel === null) return { ok: false, status: 400, rel: rawPath };
  if (rel.endsWith('/')) rel += 'index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  const notFound = { ok: false, status: 404, rel } as const;
  if (!isInside(file, base) || file === base) return notFound;
  const [realBase, real] = await Promise.all([fs.realpath(base).catch(() => null), fs.realpath(file).catch(() => null)]);
  if (!realBase || !real || !isInside(real, realBase)) return notFound;
  const st = await fs.stat(real).catch(() => null);
  if (!st?.isFile()) return notFound;
  return { ok: true, file: real, size: st.size };
}
