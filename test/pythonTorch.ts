import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's PyTorch (/usr/bin/python3 + python3-torch) as a reference peer for tests. Tests that
 * use it skip visibly when it is absent, so the suite passes on machines without it.
 */
export const PYTHON = '/usr/bin/python3';

let cached: boolean | undefined;
export function torchAvailable(what: string): boolean {
  cached ??=
    existsSync(PYTHON) &&
    (() => {
      try {
        execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!cached) console.warn(`[skip] ${what}: ${PYTHON} with torch + numpy not available`);
  return cached;
}
