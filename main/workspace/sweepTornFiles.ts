/**
 * Clean up after a process killed mid-write (kill -9, power loss), run when a workspace opens,
 * under the workspace lock:
 * - temp files of atomicWriteFile whose writer process is gone are deleted (they are incomplete,
 *   or complete but never committed: the committed file beside them is the truth);
 * - label files no manifest entry lists (written, then killed before the manifest update) are
 *   moved aside to `swept/<time>/…`, not deleted: they may hold a user's complete correction.
 * - checkpoints of deleted model versions (retired ids) that a crash left behind are deleted.
 * Everything done is reported through `log`. Other unlisted checkpoints are left alone: a training
 * run in another process legitimately holds a reserved, not yet listed, version file for minutes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TEMP_FILE_PATTERN } from '../util/atomicWrite';
import { pidAlive } from './WorkspaceLock';
import type { WorkspaceManifest } from './manifest';

export const SWEPT_DIR = 'swept';
const LABEL_FILE = /^v\d+\.nii\.gz$/;

export interface SweepResult {
  /** Temp files deleted (paths relative to the root). */
  deletedTemp: string[];
  /** Unlisted label files moved aside: from → to (relative to the root). */
  movedLabels: { from: string; to: string }[];
  /** Checkpoints of deleted model versions (relative to the root). */
  deletedModels: string[];
}

async function listDir(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => [] as string[]);
}

/** Folders where atomicWriteFile creates temp files for workspace content. */
async function foldersToScan(root: string): Promise<string[]> {
  const dirs = [root, path.join(root, 'exports')];
  for (const id of await listDir(path.join(root, 'cases'))) dirs.push(path.join(root, 'cases', id), path.join(root, 'cases', id, 'labels'));
  for (const task of await listDir(path.join(root, 'models'))) dirs.push(path.join(root, 'models', task));
  return dirs;
}

export async function sweepTornFiles(root: string, manifest: WorkspaceManifest, log: (msg: string) => void, now = new Date()): Promise<SweepResult> {
  const rel = (p: string): string => path.relative(root, p).split(path.sep).join('/');
  const result: SweepResult = { deletedTemp: [], movedLabels: [], deletedModels: [] };
  for (const dir of await foldersToScan(root)) {
    for (const name of await listDir(dir)) {
      const m = TEMP_FILE_PATTERN.exec(name);
      if (!m || pidAlive(Number(m[2]))) continue;
      await fs.rm(path.join(dir, name), { force: true });
      result.deletedTemp.push(rel(path.join(dir, name)));
    }
  }
  const listed = new Set(manifest.cases.flatMap((c) => c.labels.map((l) => l.file)));
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (const id of await listDir(path.join(root, 'cases'))) {
    const labelsDir = path.join(root, 'cases', id, 'labels');
    for (const name of await listDir(labelsDir)) {
      const from = rel(path.join(labelsDir, name));
      if (!LABEL_FILE.test(name) || listed.has(from)) continue;
      const to = `${SWEPT_DIR}/${stamp}/${from}`;
      await fs.mkdir(path.dirname(path.join(root, to)), { recursive: true });
      await fs.rename(path.join(root, from), path.join(root, to));
      result.movedLabels.push({ from, to });
    }
  }
  const retired = new Set(manifest.retiredModels ?? []);
  for (const task of await listDir(path.join(root, 'models'))) {
    for (const name of await listDir(path.join(root, 'models', task))) {
      if (!retired.has(name.replace(/\..*$/, ''))) continue;
      await fs.rm(path.join(root, 'models', task, name), { force: true });
      result.deletedModels.push(`models/${task}/${name}`);
    }
  }
  for (const f of result.deletedModels) log(`workspace ${root}: deleted ${f}, the checkpoint of a deleted model version`);
  for (const f of result.deletedTemp) log(`workspace ${root}: deleted ${f}, a temp file left by an interrupted write`);
  for (const { from, to } of result.movedLabels) log(`workspace ${root}: moved ${from} to ${to}: no manifest entry lists it (a save was interrupted)`);
  return result;
}
