import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { DirEntry, DirListing, RecentItem } from '../../../common/api/types';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';
import { fileKindOf, isDicomFileName } from '../../../common/files/fileKind';

async function looksLikeDicomFolder(dir: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.slice(0, 200).some(isDicomFileName);
}

/** Files the user picks: recent items, the restricted folder browser (web mode), native dialogs (desktop). */
export class FileService implements SliceOf<'files'> {
  constructor(private readonly ctx: ServiceContext) {}

  async listRecent(): Promise<RecentItem[]> {
    return this.ctx.recent.list();
  }

  async listDirectory(req: R.ListDirectoryRequest): Promise<DirListing> {
    const { guard } = this.ctx;
    const roots = guard.listRoots();
    if (!req.path) {
      const entries: DirEntry[] = roots.map((r) => ({ name: r, path: r, isDirectory: true, size: 0, kind: null }));
      return { path: null, parent: null, roots, entries };
    }
    const dir = await guard.resolve(req.path, { mustExist: true, what: 'folder' });
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new ApiError('invalid-request', `${dir} is not a folder`, dir);
    const dirents = await fs.readdir(dir, { withFileTypes: true });
    const entries: DirEntry[] = [];
    for (const d of dirents) {
      if (!req.showHidden && d.name.startsWith('.')) continue;
      if (entries.length >= 5000) break;
      const p = path.join(dir, d.name);
      const s = await fs.stat(p).catch(() => null);
      if (!s) continue;
      const isDirectory = s.isDirectory();
      const kind = isDirectory ? ((await looksLikeDicomFolder(p)) ? 'dicom' : null) : fileKindOf(d.name);
      entries.push({ name: d.name, path: p, isDirectory, size: isDirectory ? 0 : s.size, kind });
    }
    entries.sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || a.name.localeCompare(b.name));
    const up = path.dirname(dir);
    const parent = up !== dir && (await guard.isAllowed(up)) ? up : null;
    return { path: dir, parent, roots, entries };
  }

  async chooseFile(req: R.ChooseFileRequest): Promise<{ path: string } | null> {
    const { dialogs } = this.ctx.opts;
    if (!dialogs) throw new ApiError('unsupported', 'native dialogs exist only in the desktop app; use listDirectory in web mode');
    const chosen = await dialogs.choose(req.purpose);
    if (!chosen) return null;
    return { path: await this.ctx.guard.grant(chosen) };
  }
}
