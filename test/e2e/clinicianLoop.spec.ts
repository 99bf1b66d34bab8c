import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { writeLoopCases } from '../../bench/clinicianLoopData';
import { writeConstantLungModel } from '../constantLungModel';
import { test, expect, startServer } from './fixtures';
import { fineTune } from './fineTunePanel';
import { importWeights, modelRow } from './modelsPanel';

const PYTHON = '/usr/bin/python3';

/**
 * Issue 12, "How it will be checked", through the UI in web mode: a labelled dataset folder is
 * imported as verified cases → a short fine-tune → the models panel shows the new version with its
 * metrics → promotion is refused for a model worse than the active method (cold start) and
 * accepted for one better than the active method (a user's model that finds nothing) → export.
 * The budgets are seconds (2 cores shared with other work): the models are poor, the promotion
 * rule is what is checked; their quality is measured by `npm run bench:loop`.
 */
test('clinician loop: import dataset → train → models panel → worse refused, better promoted → export', async ({ page }) => {
  test.setTimeout(420_000);
  page.on('dialog', (d) => void d.accept());
  // Its own server on a fresh workspace: version ids and the case list are this test's alone.
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'med3d-e2e-loop-'));
  const server = await startServer(workspace);
  try {
    await page.goto(`${server.url}&empty`);
    await clinicianLoop(page, workspace);
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(workspace, { recursive: true, force: true });
  }
});

async function clinicianLoop(page: Page, workspace: string): Promise<void> {
  const incoming = path.join(workspace, 'incoming');
  // CT phantoms with their true lung masks as an MSD folder (the clinician-loop benchmark's patients).
  const { dataset, pool } = await writeLoopCases(path.join(incoming, 'lungs'), { pool: 5, heldOut: 0, dims: [48, 48, 32], seed: 11 });
  const nothing = path.join(incoming, 'finds-nothing.m3d');
  const everywhere = path.join(incoming, 'lung-everywhere.m3d');
  // Models whose predictions are known (test/constantLungModel): nothing, and right lung everywhere.
  await writeConstantLungModel(nothing, 0);
  await writeConstantLungModel(everywhere, 1);

  // 1. Import the dataset: its cases become verified cases with their labels as version 1.
  await page.getByRole('region', { name: 'Labels in and out' }).getByRole('button', { name: 'Import dataset…' }).click();
  const browser = page.getByRole('dialog', { name: /Import a labelled dataset folder/ });
  await browser.getByLabel('Path').fill(dataset);
  await browser.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.locator('.notice').filter({ hasText: `Imported ${pool.length} verified case(s)` })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Workspace' }).locator('li[data-case]')).toHaveCount(pool.length);

  // 2. A short fine-tune from scratch: worse than the cold-start method on the held-out verified
  // case, so it is kept as a version but not promoted (cold start stays the lung method).
  const first = await fineTune(page, { from: 'scratch', minutes: '0.05', promotion: 'automatic' });
  await expect(first.getByTestId('finetune-result')).toContainText('not promoted');
  const v1 = modelRow(page, 'lung-v1');
  await expect(v1).toHaveAttribute('data-active', 'false');
  await expect(v1).toContainText(/val Dice \d\.\d{3}/);
  await expect(v1).toContainText(/vs cold-start: \d\.\d{3} vs \d\.\d{3} on \d+ held-out case\(s\) \(did not beat it, not promoted\)/);
  await expect(v1).toContainText(/\d+ training case\(s\)/);
  await expect(v1).toContainText('finetune');

  // 3. Imported weights: a model that finds nothing becomes the active one; one that calls
  // everything right lung is kept beside it, inactive.
  await importWeights(page, { file: nothing, note: 'finds nothing' });
  await expect(modelRow(page, 'lung-v2')).toHaveAttribute('data-active', 'true');
  await importWeights(page, { file: everywhere, note: 'everything is right lung', activate: false });
  await expect(modelRow(page, 'lung-v3')).toHaveAttribute('data-active', 'false');

  // 4. A short fine-tune from the second beats the active method: promoted, and the panel says against what.
  const second = await fineTune(page, { from: 'lung-v3', minutes: '0.05', promotion: 'automatic' });
  await expect(second.getByTestId('finetune-result')).not.toContainText('not promoted');
  const v4 = modelRow(page, 'lung-v4');
  await expect(v4).toHaveAttribute('data-active', 'true');
  await expect(v4).toContainText(/vs lung-v2: 0\.\d{3} vs 0\.000 on \d+ held-out case\(s\) \(won, promoted\)/);
  await expect(v4).toContainText('from lung-v3');
  await expect(modelRow(page, 'lung-v2')).toHaveAttribute('data-active', 'false');

  // 5. Export the promoted version as a MedicalNet-layout .pth (a browser download).
  const [download] = await Promise.all([page.waitForEvent('download'), v4.getByRole('button', { name: 'Export .pth' }).click()]);
  expect(download.suggestedFilename()).toBe('lung-v4.pth');
  const saved = path.join(incoming, 'lung-v4.pth');
  await download.saveAs(saved);
  expect(readFileSync(saved).subarray(0, 2).toString('latin1')).toBe('PK');
  if (existsSync(PYTHON)) {
    const out = execFileSync(PYTHON, ['-c', 'import sys, torch; sd = torch.load(sys.argv[1], map_location="cpu")["state_dict"]; print(all(k.startswith("module.") for k in sd), "module.conv1.weight" in sd)', saved], { encoding: 'utf8' }).trim();
    expect(out).toBe('True True');
  }
}
