import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Location of ../shared (fixtures and public test data). Tests that need it call
 * `sharedOrSkip()` and skip with a printed reason when it is absent, so the suite also
 * passes on a fresh clone without it. MED3D_SHARED overrides the location.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DIR = process.env.MED3D_SHARED ?? path.resolve(repoRoot, '..', 'shared');
export const hasShared = existsSync(path.join(SHARED_DIR, 'fixtures')) || existsSync(path.join(SHARED_DIR, 'data'));
export const FIXTURES_DIR = path.join(SHARED_DIR, 'fixtures', 'medicalnet');
export const DATA_DIR = path.join(SHARED_DIR, 'data');
export const REPO_ROOT = repoRoot;

let warned = false;
/** True when ../shared is present; prints the skip reason once otherwise. */
export function sharedAvailable(what = 'shared fixtures'): boolean {
  if (hasShared) return true;
  if (!warned) {
    warned = true;
    console.warn(`[skip] ${what}: ${SHARED_DIR} not found — tests that need ../shared are skipped.`);
  }
  return false;
}
