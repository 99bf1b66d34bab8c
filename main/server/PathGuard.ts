/**
 * Every path that arrives from the UI goes through here: it is resolved (symlinks included) and
 * accepted only inside an allowed root (the workspace, `med3d serve --root` folders) or when the
 * user chose it themselves (native dialog, drag-and-drop: `grant`). A path is never used raw.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../common/api/errors';
import { isInside } from './isInside';

export interface PathGuardOptions {
  roots: string[];
  /**
   * Relative paths resolve against this folder (the `med3d call` CLI: its working directory).
   * Without it, relative paths are refused: a UI or web client has no working directory, and
   * guessing one (say, the alphabetically first root) would read or write the wrong file.
   */
  base?: string;
}

/** realpath of the longest existing prefix, plus the non-existing rest (for files about to be written). */
async function realpathLoose(p: string): Promise<string> {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(head);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

export class PathGuard {
  private readonly roots = new Set<string>();
  private readonly granted = new Set<string>();

  constructor(private readonly opts: PathGuardOptions) {
    for (const r of opts.roots) this.roots.add(path.resolve(r));
  }

  /** Add a root folder (e.g. a newly opened workspace). */
  async addRoot(dir: string): Promise<void> {
    this.roots.add(await realpathLoose(path.resolve(dir)));
    this.roots.add(path.resolve(dir));
  }

  /** Accept this file or folder (and, for a folder, everything inside): a user's explicit choice. */
  async grant(p: string): Promise<string> {
    if (!path.isAbsolute(p)) throw new ApiError('forbidden-path', `granted paths must be absolute: ${p}`);
    const real = await realpathLoose(path.resolve(p));
    this.granted.add(real);
    return real;
  }

  listRoots(): string[] {
    return [...new Set([...this.roots].map((r) => path.resolve(r)))].sort();
  }

  private async allowedRealRoots(): Promise<string[]> {
    const out: string[] = [];
    for (const r of [...this.roots, ...this.granted]) out.push(await realpathLoose(r));
    return out;
  }

  /**
   * Resolve a client path to an absolute real path, or throw ApiError('forbidden-path') naming it.
   * `mustExist`: also fail with 'bad-file' when nothing is there.
   */
  async resolve(input: string, opts: { mustExist?: boolean; what?: string } = {}): Promise<string> {
    if (typeof input !== 'string' || !input || input.includes('\0')) throw new ApiError('invalid-request', 'path must be a non-empty string');
    if (!path.isAbsolute(input) && !this.opts.base) {
      throw new ApiError('forbidden-path', `${opts.what ?? 'path'} "${input}" is relative: give an absolute path`, input);
    }
    const abs = path.resolve(this.opts.base ?? '/', input);
    const real = await realpathLoose(abs);
    const allowed = await this.allowedRealRoots();
    if (!allowed.some((r) => isInside(real, r))) {
      throw new ApiError('forbidden-path', `${opts.what ?? 'path'} ${abs} is outside the allowed folders (${this.listRoots().join(', ') || 'none'}); open it through File ▸ Open or start the server with --root`, abs);
    }
    if (opts.mustExist) {
      const st = await fs.stat(real).catch(() => null);
      if (!st) throw new ApiError('bad-file', `cannot read ${abs}: no such file or folder`, abs);
    }
    return real;
  }

  /** Non-throwing check (file browser). */
  async isAllowed(p: string): Promise<boolean> {
    return this.resolve(p).then(
      () => true,
      () => false,
    );
  }
}
