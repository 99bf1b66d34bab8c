import { promises as fs } from 'node:fs';
import { ApiError } from '../../../common/api/errors';
import { EXPORTS_DIR, type ServiceContext } from './ServiceContext';

/**
 * Where an export goes: the client's `path` (resolved by PathGuard; inside a workspace only its
 * exports/ folder; an existing file only with `overwrite`), or by default
 * `<workspace>/exports/<base><ext>`, then -2, -3… when taken: exports never replace files silently.
 */
export async function exportDestination(ctx: ServiceContext, req: { path?: string; overwrite?: boolean }, base: string, ext: string): Promise<string> {
  if (req.path) {
    const dest = await ctx.guard.resolve(req.path, { what: 'export destination' });
    await ctx.checkWritable(dest, 'export destination');
    if (!req.overwrite && (await fs.lstat(dest).catch(() => null))) {
      throw new ApiError('invalid-request', `export destination ${dest} already exists: choose another name or pass overwrite: true`, dest);
    }
    return dest;
  }
  for (let n = 1; ; n++) {
    const file = ctx.workspace().abs(`${EXPORTS_DIR}/${base}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!(await fs.lstat(file).catch(() => null))) return file;
  }
}
