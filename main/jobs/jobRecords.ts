/**
 * Resumable jobs outlive their process: while one runs, `<workspace>/jobs/<id>.json` says what
 * it is (kind, parameters, owner process) and `<workspace>/jobs/<id>/` holds its checkpoints. A
 * record still there after its owner is gone (app closed mid-run, kill -9, power loss) is an
 * interrupted job that resumeJob can continue; a job that ends (done, failed, cancelled) removes both.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonValue } from '../../common/api/schema';
import { atomicWriteJson } from '../util/atomicWrite';
import { pidAlive } from '../workspace/WorkspaceLock';

export interface JobRecord {
  id: string;
  kind: string;
  params: JsonValue;
  caseId?: string;
  title: string;
  createdAt: string;
  startedAt: string;
  /** Owner process (pid on hostname). */
  pid: number;
  hostname: string;
  /** Last progress persisted (for the jobs list while interrupted). */
  progress: number;
  message: string;
}

const JOBS_DIR = 'jobs';
const RECORD = /^(job-[A-Za-z0-9-]+)\.json$/;

export function jobWorkDir(root: string, id: string): string {
  return path.join(root, JOBS_DIR, id);
}

export async function writeJobRecord(root: string, rec: JobRecord): Promise<void> {
  await fs.mkdir(jobWorkDir(root, rec.id), { recursive: true });
  await atomicWriteJson(path.join(root, JOBS_DIR, `${rec.id}.json`), rec);
}

/** Forget a finished job: the record first (it is what makes a job resumable), then its folder. */
export async function removeJobRecord(root: string, id: string): Promise<void> {
  await fs.rm(path.join(root, JOBS_DIR, `${id}.json`), { force: true });
  await fs.rm(jobWorkDir(root, id), { recursive: true, force: true });
}

/** Whether the process that owns a record is gone (a record on another host cannot be checked: taken as gone). */
function ownerGone(rec: JobRecord): boolean {
  return rec.hostname !== os.hostname() || rec.pid === process.pid || !pidAlive(rec.pid);
}

/**
 * Records of jobs no process runs any more (the caller leaves out its own live jobs). Synchronous:
 * a handful of small files, read when the jobs list is asked for. Unreadable records are skipped.
 */
export function interruptedJobRecords(root: string): JobRecord[] {
  let names: string[];
  try {
    names = readdirSync(path.join(root, JOBS_DIR));
  } catch {
    return [];
  }
  const out: JobRecord[] = [];
  for (const name of names.sort()) {
    if (!RECORD.test(name)) continue;
    try {
      const rec = JSON.parse(readFileSync(path.join(root, JOBS_DIR, name), 'utf8')) as JobRecord;
      if (typeof rec.id === 'string' && typeof rec.kind === 'string' && typeof rec.pid === 'number' && ownerGone(rec)) out.push(rec);
    } catch {
      // a torn or foreign file: not a job we can resume
    }
  }
  return out;
}

export function recordIdentity(): { pid: number; hostname: string } {
  return { pid: process.pid, hostname: os.hostname() };
}
