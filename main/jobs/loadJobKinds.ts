/**
 * Discover task job kinds by convention, like the CLI discovers commands: every
 * `main/tasks/**\/*.job.ts` (or .js once built) that exports `register(registry: JobRegistry)`
 * is imported once. Task engineers add a file; the job system is never edited.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jobRegistry, type JobRegistry } from './jobRegistry';

const here = path.dirname(fileURLToPath(import.meta.url));

function findJobFiles(dir: string, depth = 0): string[] {
  if (depth > 4) return [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const p = path.join(dir, n);
    if (n === 'node_modules' || n.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out.push(...findJobFiles(p, depth + 1));
    else if (/\.job\.(ts|js|mjs)$/.test(n) && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const loaded = new WeakMap<JobRegistry, Promise<string[]>>();

/**
 * Import every job module once per registry; resolves with the files loaded. A module that fails
 * to import is reported through `onError` and skipped (the app keeps its other job kinds).
 */
export function loadJobKinds(opts: { registry?: JobRegistry; tasksDir?: string; onError?: (file: string, err: unknown) => void } = {}): Promise<string[]> {
  const registry = opts.registry ?? jobRegistry;
  const cached = loaded.get(registry);
  if (cached) return cached;
  const run = (async () => {
    const dir = opts.tasksDir ?? path.resolve(here, '..', 'tasks');
    const files = findJobFiles(dir);
    const ok: string[] = [];
    for (const f of files) {
      try {
        const mod = (await import(pathToFileURL(f).href)) as { register?: (r: JobRegistry) => void };
        if (typeof mod.register !== 'function') throw new Error('does not export register(registry)');
        mod.register(registry);
        ok.push(f);
      } catch (err) {
        opts.onError?.(f, err);
      }
    }
    return ok;
  })();
  loaded.set(registry, run);
  return run;
}
