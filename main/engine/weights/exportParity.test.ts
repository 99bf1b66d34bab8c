import { describe, expect, it, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, REPO_ROOT, sharedAvailable } from '../../../test/sharedDir';
import { readPth } from './readPth';
import { saveCheckpoint } from './checkpoint';
import { loadWeights } from './loadWeights';
import { writePth } from './writePth';

/**
 * End-to-end: MedicalNet .pth → our checkpoint → exported .pth → PyTorch's own MedicalNet
 * ResNet (scripts/parity-pth-export.py) loads it strictly and reproduces the fixture outputs.
 */
const torchOk =
  existsSync('/usr/bin/python3') &&
  (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
if (!torchOk) console.warn('[skip] export parity: /usr/bin/python3 with torch + numpy not available');
const haveShared = sharedAvailable('MedicalNet fixtures (export parity)');
const dir = mkdtempSync(path.join(os.tmpdir(), 'export-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, string][] = [
  ['d50_B_w8', 'd50_B_w8.pth'],
  ['enc_d10_B_w8', 'enc_d10_B_w8.legacy.pth'],
];

describe.skipIf(!torchOk || !haveShared)('exported .pth reproduces the fixtures in PyTorch', () => {
  it(`${CASES.map(([c, f]) => `${c} (${f})`).join(', ')} → .m3d → .pth → PyTorch MedicalNet`, async () => {
    const args: string[] = [];
    for (const [caseName, file] of CASES) {
      const src = await readPth(path.join(FIXTURES_DIR, file));
      const m3d = path.join(dir, `${caseName}.m3d`);
      const out = path.join(dir, `${caseName}.pth`);
      const first = await loadWeights(path.join(FIXTURES_DIR, file));
      await saveCheckpoint(m3d, { spec: first.spec, stateDict: src.stateDict, meta: { createdAt: new Date().toISOString() } });
      await writePth(out, (await loadWeights(m3d)).stateDict);
      args.push(out, '--case', caseName);
    }
    const r = spawnSync('/usr/bin/python3', [path.join(REPO_ROOT, 'scripts/parity-pth-export.py'), ...args, '--fixtures', FIXTURES_DIR], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; case: string; features?: { within_tolerance: boolean } });
    expect(reports.map((x) => x.case)).toEqual(CASES.map(([c]) => c));
    for (const rep of reports) {
      expect(rep.features?.within_tolerance, rep.case).toBe(true);
      expect(rep.ok, rep.case).toBe(true);
    }
    expect(r.status).toBe(0);
  }, 120_000);
});
