import type { Page } from '@playwright/test';
import { generateCtPhantom } from '../../main/tasks/phantom/ctPhantom';
import { test, expect, waitForVolume } from './fixtures';

type V3 = [number, number, number];
type Hooks = {
  api: {
    listNoduleMarks(r: { caseId?: string }): Promise<Array<{ markId: string; label: string; malignancy: number | null; radiusMm: number; centerVoxel: V3; shape: string }>>;
    listModels(r: { task?: string }): Promise<Array<{ versionId: string; active: boolean; origin: string }>>;
    activateModel(r: { task: string; versionId: string }): Promise<unknown>;
  };
  state(): { caseId: string | null };
  clientAtVoxel(view: string, ijk: V3): [number, number] | null;
  jumpToVoxel(ijk: V3): void;
};
const hooks = (page: Page, fn: string, ...args: unknown[]): Promise<unknown> =>
  page.evaluate(([f, a]) => ((window as unknown as { __med3d: Record<string, (...x: unknown[]) => unknown> }).__med3d[f as string] as (...x: unknown[]) => unknown)(...(a as unknown[])), [fn, args] as const);

/** The demo scan is this phantom (main/server: generateCtPhantom({seed: 1})): its nodules are known. */
const nodules = generateCtPhantom({ seed: 1 }).nodules;

/** Scrolls the views to a voxel and clicks it in the axial view. */
async function clickVoxel(page: Page, ijk: V3): Promise<void> {
  await hooks(page, 'jumpToVoxel', ijk);
  const p = (await hooks(page, 'clientAtVoxel', 'axial', ijk)) as [number, number];
  await page.mouse.click(p[0], p[1]);
}

const marks = (page: Page) => page.getByTestId('nodule-mark');

/**
 * Nodules end to end in web mode: mark nodules on the demo phantom (the candidate under a click,
 * and a drawn sphere), set their class (benign/malignant or LIDC 1–5), see them listed after a
 * reload, train the nodule classifier from them and classify a marked nodule.
 */
test('mark nodules (click → candidate, sphere), set their class, kept after reload; train the classifier and classify a mark', async ({ app: page }) => {
  test.setTimeout(600_000);
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await waitForVolume(page, 'demo');
  const panel = page.getByRole('region', { name: 'Nodules' });
  await expect(panel.getByText(/LIDC 1–3 count as benign, 4–5 as malignant/)).toBeVisible();
  const [n1, n2, n3, n4] = nodules;
  expect(nodules.map((n) => n.malignant)).toEqual([false, true, false, true]);

  // Click 1.5 voxels beside the centre of a malignant nodule: the candidate under the cursor is marked, with LIDC 4.
  await panel.getByLabel('Class of new marks').selectOption('4');
  await panel.getByRole('button', { name: 'Mark nodule' }).click();
  await clickVoxel(page, [Math.round(n2.centerVoxel[0]) + 1.5, Math.round(n2.centerVoxel[1]), Math.round(n2.centerVoxel[2])]);
  await expect(marks(page)).toHaveCount(1);
  await expect(panel.getByLabel('Class of nodule-1')).toHaveValue('4');
  // The mark is drawn where the view's slice cuts it (the views show that slice now).
  await expect(page.locator('[data-view="axial"] [data-testid="nodule-marker"][data-mark="nodule-1"]')).toHaveCount(1);
  const caseId = ((await hooks(page, 'state')) as { caseId: string }).caseId;
  const [m1] = (await page.evaluate((c) => (window as unknown as { __med3d: Hooks }).__med3d.api.listNoduleMarks({ caseId: c }), caseId));
  expect(Math.hypot(...([0, 1, 2].map((a) => m1.centerVoxel[a] - n2.centerVoxel[a]) as V3))).toBeLessThan(1.5);
  expect(Math.abs(2 * m1.radiusMm - n2.diameterMm) / n2.diameterMm).toBeLessThan(0.35);

  // A drawn sphere of 6 mm on a benign nodule.
  await panel.getByLabel('Class of new marks').selectOption('benign');
  await panel.getByLabel('Sphere radius (mm)').fill('6');
  await panel.getByRole('button', { name: 'Sphere' }).click();
  await clickVoxel(page, n1.centerVoxel.map(Math.round) as V3);
  await expect(marks(page)).toHaveCount(2);
  await expect(marks(page).nth(1)).toContainText('sphere r 6.0 mm');

  // Two more candidates, then the classes are changed in the list.
  await panel.getByRole('button', { name: 'Mark nodule' }).click();
  await clickVoxel(page, n3.centerVoxel.map(Math.round) as V3);
  await expect(marks(page)).toHaveCount(3);
  await panel.getByLabel('Class of new marks').selectOption('malignant');
  await panel.getByRole('button', { name: 'Mark nodule' }).click();
  await clickVoxel(page, n4.centerVoxel.map(Math.round) as V3);
  await expect(marks(page)).toHaveCount(4);
  await panel.getByLabel('Class of nodule-2').selectOption('2');
  await panel.getByLabel('Class of nodule-3').selectOption('3');
  await expect.poll(async () => (await page.evaluate((c) => (window as unknown as { __med3d: Hooks }).__med3d.api.listNoduleMarks({ caseId: c }), caseId)).map((m) => [m.markId, m.label, m.malignancy])).toEqual([
    ['nodule-1', 'malignant', 4],
    ['nodule-2', 'benign', 2],
    ['nodule-3', 'benign', 3],
    ['nodule-4', 'malignant', null],
  ]);

  // After a reload the case's marks are listed with their classes.
  await page.reload();
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await waitForVolume(page, 'demo');
  await expect(marks(page)).toHaveCount(4);
  await expect(panel.getByLabel('Class of nodule-1')).toHaveValue('4');
  await expect(panel.getByLabel('Class of nodule-2')).toHaveValue('2');
  await expect(panel.getByLabel('Class of nodule-3')).toHaveValue('3');
  await expect(panel.getByLabel('Class of nodule-4')).toHaveValue('malignant');

  // No nodule model yet: Classify says so in one line.
  await marks(page).first().getByRole('button', { name: 'Classify' }).click();
  await expect(page.locator('.notice.error').filter({ hasText: /Classify nodule-1: .*no nodule model/ })).toBeVisible();

  // Train the classifier from the marks (one benign and one malignant mark held out), then classify with it.
  await panel.getByRole('button', { name: 'Train nodule classifier' }).click();
  const job = page.locator('.job').filter({ hasText: /nodule classifier/i }).first();
  await expect(job).toBeVisible();
  await expect(job).toHaveAttribute('data-state', /done|failed/, { timeout: 480_000 });
  await expect(job).toHaveAttribute('data-state', 'done');
  const models = await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.api.listModels({ task: 'nodule' }));
  expect(models).toHaveLength(1);
  expect(models[0].origin).toBe('finetune');
  // Never worse: it became active only if it classified the held-out marks better than no model; else the user activates it by hand.
  if (!models[0].active) await page.evaluate((v) => (window as unknown as { __med3d: Hooks }).__med3d.api.activateModel({ task: 'nodule', versionId: v }), models[0].versionId);
  await marks(page).nth(3).getByRole('button', { name: 'Classify' }).click();
  await expect(marks(page).nth(3).getByTestId('nodule-probability')).toContainText(new RegExp(`P\\(malignant\\) = \\d+\\.\\d%.*${models[0].versionId}`));

  await marks(page).nth(2).getByRole('button', { name: 'Delete nodule-3' }).click();
  await expect(marks(page)).toHaveCount(3);
});
