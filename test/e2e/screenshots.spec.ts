import path from 'node:path';
import { test, expect, openPath, waitForVolume, hasData, DATA_DIR, REPO_ROOT } from './fixtures';

/**
 * Screenshots of the main screens for the README and docs/UI.md. Not part of the normal e2e
 * run: `npm run docs:screenshots` (MED3D_SCREENSHOTS=1) writes docs/*.png.
 */
const enabled = process.env.MED3D_SCREENSHOTS === '1';
const shot = (name: string): string => path.join(REPO_ROOT, 'docs', `${name}.png`);

test.describe('docs screenshots', () => {
  test.skip(!enabled, 'screenshots are taken by `npm run docs:screenshots` (MED3D_SCREENSHOTS=1)');
  test.skip(!hasData, `../shared/data not found (${DATA_DIR})`);

  test('main screens', async ({ app: page }) => {
    test.setTimeout(300_000);
    page.on('dialog', (d) => void d.accept());
    // 1. The demo phantom, segmented by the lung task (cold start), then a fine-tuning job.
    await page.getByRole('button', { name: 'Demo' }).click();
    await waitForVolume(page, 'demo');
    await page.getByRole('button', { name: 'Run lung segmentation' }).click();
    await expect(page.locator('.job[data-state="done"], .job[data-state="failed"]').first()).toBeVisible({ timeout: 120_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: shot('demo-phantom') });
    await page.getByLabel('Save as status').selectOption('verified');
    await page.getByRole('button', { name: /^Save/ }).click();
    const fineTuning = page.getByRole('region', { name: 'Fine-tuning' });
    await fineTuning.getByLabel('Time budget (minutes)').fill('0.5');
    await fineTuning.getByRole('button', { name: 'Fine-tune' }).click();
    await page.waitForTimeout(20_000);
    await page.screenshot({ path: shot('jobs') });
    // The fine-tuned version in the Models panel (its held-out comparison with cold start).
    await expect(page.locator('.job').first()).toHaveAttribute('data-state', /done|failed|cancelled/, { timeout: 240_000 });
    const models = page.getByRole('region', { name: 'Models' });
    await models.scrollIntoViewIfNeeded();
    await page.waitForTimeout(1000);
    await models.screenshot({ path: shot('models') });

    // 2. A real CT with a correction being painted.
    await openPath(page, path.join(DATA_DIR, 'nifti/ct/example_ct_sm.nii.gz'));
    await waitForVolume(page, 'example_ct_sm');
    await page.getByRole('button', { name: 'Brush', exact: true }).click();
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.55, { steps: 8 });
    await page.mouse.up();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.45);
    await page.screenshot({ path: shot('editing') });

    // 4. A corrupt file: the error names the file.
    await openPath(page, path.join(DATA_DIR, 'nifti/malformed/not-nifti.nii'));
    await expect(page.locator('.notice.error')).toBeVisible();
    await page.screenshot({ path: shot('error') });

    // 5. The web-mode file browser.
    await page.getByRole('button', { name: 'Open…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /shared\/data|\[dir\]/ }).first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: shot('open-dialog') });
  });
});
