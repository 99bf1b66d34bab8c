import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './sharedDir';

/** Runs the real `med3d` CLI (bin/med3d.mjs) in a child process, as a user would, and returns what it printed. */
export function med3d(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? REPO_ROOT,
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, MED3D_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
