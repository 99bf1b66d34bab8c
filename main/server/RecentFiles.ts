/** Recently opened files and workspaces, kept in the app's config folder (atomic JSON). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RecentItem, RecentKind } from '../../common/api/types';
import { atomicWriteJson } from '../util/atomicWrite';

export class RecentFiles {
  private items: RecentItem[] | null = null;

  constructor(
    private readonly file: string | null,
    private readonly max = 20,
  ) {}

  async list(): Promise<RecentItem[]> {
    if (this.items) return structuredClone(this.items);
    this.items = [];
    if (this.file) {
      try {
        const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown;
        if (Array.isArray(parsed)) {
          this.items = parsed.filter(
            (x): x is RecentItem => typeof x === 'object' && x !== null && typeof (x as RecentItem).path === 'string' && typeof (x as RecentItem).kind === 'string',
          );
        }
      } catch {
        /* missing or unreadable: start empty (recent files are a convenience) */
      }
    }
    return structuredClone(this.items);
  }

  async add(p: string, kind: RecentKind): Promise<void> {
    const cur = await this.list();
    const abs = path.resolve(p);
    this.items = [{ path: abs, kind, openedAt: new Date().toISOString() }, ...cur.filter((x) => x.path !== abs)].slice(0, this.max);
    if (this.file) await atomicWriteJson(this.file, this.items).catch(() => undefined);
  }
}
