import path from 'node:path';
import { writeSyntheticSeries } from '../../main/volume/io/dicom/testing/writeSyntheticSeries';
import { test, expect, openPath, waitForVolume } from './fixtures';

type Hooks = { state(): { caseId: string | null; header: { dims: number[]; source: string } | null } };

test.describe('series picker', () => {
  test('a folder with several DICOM series lists them and opens the one the user picks', async ({ app: page, server }) => {
    // Generated here (no shared data needed): 12 slices of 32×28 (value 40) and 6 slices of 20×16 (value -700).
    const study = path.join(server.workspace, 'incoming', 'two-series');
    await writeSyntheticSeries(path.join(study, 'big'), { rows: 28, columns: 32, slices: 12, seriesInstanceUID: '1.2.826.0.1.3680043.8.498.301', value: () => 40 });
    await writeSyntheticSeries(path.join(study, 'small'), { rows: 16, columns: 20, slices: 6, seriesInstanceUID: '1.2.826.0.1.3680043.8.498.302', value: () => -700 });

    await openPath(page, study);
    const picker = page.getByRole('dialog', { name: 'Choose a series' });
    await expect(picker).toBeVisible();
    await expect(picker).toContainText('holds 2 image series');
    const rows = picker.locator('tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText('1.2.826.0.1.3680043.8.498.301');
    await expect(rows.nth(0).locator('td').nth(3)).toHaveText('32×28');
    await expect(rows.nth(0).locator('td').nth(4)).toHaveText('12');
    await expect(rows.nth(1).locator('td').nth(2)).toHaveText('CT');
    await expect(rows.nth(1).locator('td').nth(4)).toHaveText('6');
    // Nothing is loaded until the user picks.
    expect(await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().header)).toBeNull();

    await picker.getByRole('button', { name: 'Open series 2' }).click();
    await waitForVolume(page, 'two-series');
    const s = await page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state());
    expect(s.header!.dims).toEqual([20, 16, 6]);
    // The chosen series is its own workspace case, named after the folder and the series.
    await expect(page.getByText('two-series · synthetic series').first()).toBeVisible();
    // The readout is in HU (a CT series) and shows the chosen series' values.
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.getByTestId('cursor-value')).toHaveText('HU -700');
  });
});
