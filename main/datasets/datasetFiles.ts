import { promises as fs } from 'node:fs';
import path from 'node:path';
import { stripNiftiExtension } from '../../common/files/fileKind';

/**
 * Filesystem helpers for dataset folders. Every check uses stat (not lstat), so symbolic links to files
 * and folders are followed, as users who link one copy of their scans into several datasets expect.
 */

/** File or folder kind behind a path, following links; null when it does not exist (or the link dangles). */
export async function pathKind(p: string): Promise<'file' | 'dir' | null> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

export interface FolderEntry {
  name: string;
  full: string;
  kind: 'file' | 'dir' | 'broken-link';
}

/** Visible entries of a folder sorted by name (dot files such as macOS `._x.nii.gz` are skipped); [] when absent. */
export async function listFolder(dir: string): Promise<FolderEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const out: FolderEntry[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const full = path.join(dir, name);
    out.push({ name, full, kind: (await pathKind(full)) ?? 'broken-link' });
  }
  return out;
}

/** Parse a JSON file, or throw a one-line message naming it. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** nnU-Net's per-channel image name: `imagesTr/liver_3.nii.gz`, 0 → `imagesTr/liver_3_0000.nii.gz`. */
export function channelFile(file: string, channel: number): string {
  const base = path.basename(file);
  const stem = stripNiftiExtension(base);
  return path.join(path.dirname(file), `${stem}_${String(channel).padStart(4, '0')}${base.slice(stem.length)}`);
}
