import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/**
 * Drags one stroke of the selected tool from client point `a` to `b`, saves the labels as verified
 * and waits for the save notice (of label version `version` when given).
 */
export async function strokeAndSaveVerified(page: Page, a: [number, number], b: [number, number], version?: number): Promise<void> {
  await page.mouse.move(a[0], a[1]);
  await page.mouse.down();
  await page.mouse.move(b[0], b[1], { steps: 6 });
  await page.mouse.up();
  await page.getByLabel('Save as status').selectOption('verified');
  await page.getByRole('button', { name: /^Save/ }).click();
  await expect(page.locator('.notice').filter({ hasText: new RegExp(`Saved label version ${version ?? '\\d+'} \\(verified\\)`) })).toBeVisible();
}
