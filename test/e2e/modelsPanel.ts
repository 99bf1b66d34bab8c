import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** The Models panel (side column). */
export const modelsPanel = (page: Page): Locator => page.getByRole('region', { name: 'Models' });

/** A version's row in the Models panel (data-active says whether it is the task's model). */
export const modelRow = (page: Page, versionId: string): Locator => modelsPanel(page).locator(`li.model[data-version="${versionId}"]`);

const versionIds = async (page: Page): Promise<string[]> => (await modelsPanel(page).locator('li.model').evaluateAll((li) => li.map((e) => e.getAttribute('data-version')!)));

/** Import weights… from the Models panel as a lung model; returns the new version's id once its row is shown. */
export async function importWeights(page: Page, o: { file: string; note: string; activate?: boolean }): Promise<string> {
  await modelsPanel(page).getByLabel('Model task').selectOption('lung');
  const before = await versionIds(page);
  await modelsPanel(page).getByRole('button', { name: 'Import weights…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import weights' });
  await dialog.getByLabel('Weights file').fill(o.file);
  await dialog.getByLabel('Import for task').selectOption('lung');
  await dialog.getByLabel('Note').fill(o.note);
  await dialog.getByLabel('Make it the active lung model').setChecked(o.activate ?? true);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(modelsPanel(page).locator('li.model')).toHaveCount(before.length + 1);
  return (await versionIds(page)).find((id) => !before.includes(id))!;
}
