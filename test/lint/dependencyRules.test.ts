import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../sharedDir';

/**
 * `npm run lint:deps` (.dependency-cruiser.cjs) on a small tree that breaks each layering rule once:
 * every rule must fire on its offender, and the allow-listed folder cycle must not.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'med3d-lintdeps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tree: Record<string, string> = {
  'common/shared.ts': 'export const shared = 1;',
  'common/leak.ts': "import { x } from '../main/server/x';\nexport const leak = x;",
  'renderer/view.ts': "import { x } from '../main/server/x';\nimport { shared } from '../common/shared';\nexport const view = x + shared;",
  'preload/bridge.ts': "import { view } from '../renderer/view';\nexport const bridge = view;",
  'main/server/x.ts': 'export const x = 1;',
  'main/engine/model.ts': "import { x } from '../server/x';\nexport const model = x;",
  'main/volume/clean.ts': "import { shared } from '../../common/shared';\nexport const clean = shared;",
  'main/util/u.ts': "import { h } from '../helpers/h';\nexport const u = h;\nexport const u2 = 2;",
  'main/helpers/h.ts': "import { u2 } from '../util/u';\nexport const h = u2;",
  // tasks/nodule ↔ tasks/train is a known cycle (KNOWN_FOLDER_EDGES): allowed.
  'main/tasks/nodule/fineTuneNodule.ts': "import { recipe } from '../train/noduleRecipe';\nexport const fineTune = () => recipe;",
  'main/tasks/train/noduleRecipe.ts': "import { fineTune } from '../nodule/fineTuneNodule';\nexport const recipe = 1;\nexport const again = fineTune;",
  // tasks/engine left the tasks cycle (its entries are gone from the list): a cycle through it fails again.
  'main/tasks/engine/taskModel.ts': "import { lung } from '../lung/lungModel';\nexport const taskModel = () => lung;",
  'main/tasks/lung/lungModel.ts': "import { taskModel } from '../engine/taskModel';\nexport const lung = 1;\nexport const again = taskModel;",
};

describe('lint:deps rules', () => {
  it('flags each new violation by rule and file, and lets the known cycle pass', () => {
    for (const [rel, text] of Object.entries(tree)) {
      mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      writeFileSync(path.join(tmp, rel), text);
    }
    writeFileSync(path.join(tmp, 'tsconfig.json'), '{"compilerOptions":{"module":"ESNext","moduleResolution":"bundler"}}');
    const bin = path.join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    const r = spawnSync(process.execPath, [bin, 'main', 'common', 'preload', 'renderer', '--config', path.join(REPO_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
      cwd: tmp,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const found = (JSON.parse(r.stdout) as { summary: { violations: Array<{ from: string; to: string; rule: { name: string } }> } }).summary.violations
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
      .sort();
    expect(found).toEqual([
      'common-only-common: common/leak.ts → main/server/x.ts',
      'engine-volume-not-app: main/engine/model.ts → main/server/x.ts',
      'no-folder-cycles: main/helpers → main/util',
      'no-folder-cycles: main/tasks/engine → main/tasks/lung',
      'no-folder-cycles: main/tasks/lung → main/tasks/engine',
      'no-folder-cycles: main/util → main/helpers',
      'preload-only-common: preload/bridge.ts → renderer/view.ts',
      'renderer-only-common: renderer/view.ts → main/server/x.ts',
    ]);
  });
});
