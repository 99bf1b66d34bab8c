import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** The fine-tune panel's settings (task lung). */
export type FineTuneSettings = { from: string; minutes: string; promotion: 'automatic' | 'manual' };

/** Sets the fine-tune panel (lung) and presses Fine-tune. */
export async function startFineTune(page: Page, o: FineTuneSettings): Promise<void> {
  const panel = page.getByRole('region', { name: 'Fine-tuning' });
  await panel.getByLabel('Fine-tune task').selectOption('lung');
  await panel.getByLabel('Starting model').selectOption(o.from);
  await panel.getByLabel('Time budget (minutes)').fill(o.minutes);
  await panel.getByLabel('Promotion').selectOption(o.promotion);
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
}

/** Starts a fine-tune from the panel; returns the new job's row once it has finished. */
export async function fineTune(page: Page, o: FineTuneSettings): Promise<Locator> {
  const count = await page.locator('.job').count();
  await startFineTune(page, o);
  await expect(page.locator('.job')).toHaveCount(count + 1);
  const job = page.locator('.job').first();
  await expect(job).toContainText(/fine-tun/i);
  await expect(job).toHaveAttribute('data-state', /done|failed/, { timeout: 240_000 });
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  return job;
}
