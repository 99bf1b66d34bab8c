import { test, expect, waitForVolume } from './fixtures';
import { strokeAndSaveVerified } from './strokeAndSave';

// Counts verified cases and label versions: a workspace of its own.
test.use({ workspaceName: 'tasks' });

type Hooks = {
  api: { listModels(r: { task?: string }): Promise<Array<{ versionId: string; origin: string }>> };
  state(): { caseId: string | null; loadedVersion: number | null; dirty: boolean };
  clientAtVoxel(view: string, ijk: [number, number, number]): [number, number] | null;
};

/**
 * The correction loop of issue 6 through the UI: demo case → lung task → correct a slice → save as
 * verified → fine-tuning job from the fine-tune panel → a new model version exists; with a single
 * verified case it cannot be validated, so it is not promoted and the case keeps its label.
 */
test('correct → verified → fine-tune → new model version, not promoted without held-out cases', async ({ app: page }) => {
  test.setTimeout(480_000);
  page.on('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await waitForVolume(page, 'demo');
  await page.getByRole('button', { name: 'Run lung segmentation' }).click();
  await expect(page.locator('.job[data-state="done"]').first()).toBeVisible({ timeout: 180_000 });
  await expect.poll(async () => page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().loadedVersion), { timeout: 60_000 }).toBe(1);

  // Correct one slice: erase a stroke across the right lung.
  await page.getByRole('button', { name: 'Eraser' }).click();
  const a = await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.clientAtVoxel('axial', [40, 80, 48]));
  const b = await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.clientAtVoxel('axial', [70, 80, 48]));
  await strokeAndSaveVerified(page, a!, b!, 2);

  const before = await page.evaluate(async () => (await (window as unknown as { __med3d: Hooks }).__med3d.api.listModels({ task: 'lung' })).length);
  const panel = page.getByRole('region', { name: 'Fine-tuning' });
  await panel.getByLabel('Time budget (minutes)').fill('0.1');
  await panel.getByLabel('Promotion').selectOption('automatic');
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  const job = page.locator('.job').filter({ hasText: /fine-tun/i }).first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-state', /done|failed/, { timeout: 400_000 });
  await expect(job).toHaveAttribute('data-state', 'done');
  const after = await page.evaluate(async () => (await (window as unknown as { __med3d: Hooks }).__med3d.api.listModels({ task: 'lung' })).length);
  expect(after).toBeGreaterThan(before);
  // Never worse: with one verified case nothing can be held out, so the new version is not promoted and the
  // open case keeps its verified label (a promoted model would re-predict it).
  await expect(job.getByTestId('finetune-result')).toContainText(/not promoted.*validation is impossible/s);
  expect(await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().loadedVersion)).toBe(2);
});
