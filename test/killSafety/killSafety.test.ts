import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KILL_WRITERS, killRound, setupWorkspace } from './killRound';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-kill-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A few rounds only (each starts a child process); `npm run kill-safety -- --rounds N` runs many.
describe('kill -9 during label save, manifest update and checkpoint write', () => {
  it('3 rounds: every listed file loads and nothing listed is missing', async () => {
    const root = path.join(dir, 'ws');
    await setupWorkspace(root);
    for (const [round, extraMs] of [0, 37, 151].entries()) {
      const r = await killRound(root, KILL_WRITERS, { extraMs, minLoops: round + 1 });
      expect(r.listedFiles, `round ${round}`).toBeGreaterThanOrEqual(round + 1);
      for (const w of KILL_WRITERS) expect(r.completed[w], `round ${round}: ${w}`).toBeGreaterThanOrEqual(round + 1);
    }
  }, 60_000);
});
