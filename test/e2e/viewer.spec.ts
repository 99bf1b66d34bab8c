import path from 'node:path';
import { test, expect, openPath, waitForVolume, viewportStats, hasData, DATA_DIR } from './fixtures';

test.describe('viewer', () => {
  test.skip(!hasData, `../shared/data not found (${DATA_DIR}): viewer e2e tests need the public test scans`);

  test('opens a NIfTI CT: three views render with correct orientation markers and HU readout', async ({ app: page }) => {
    const file = path.join(DATA_DIR, 'nifti/ct/example_ct_sm.nii.gz');
    await openPath(page, file);
    await waitForVolume(page, 'example_ct_sm');
    for (const view of ['axial', 'sagittal', 'coronal']) {
      const s = await viewportStats(page, view);
      expect(s.std, `${view} view has image content`).toBeGreaterThan(8);
      expect(s.nonBlack, `${view} view is not blank`).toBeGreaterThan(0.05);
    }
    const marker = (view: string, side: string) => page.locator(`.view[data-view="${view}"] .mk.${side}`);
    await expect(marker('axial', 'top')).toHaveText('A');
    await expect(marker('axial', 'right')).toHaveText('L');
    await expect(marker('axial', 'left')).toHaveText('R');
    await expect(marker('sagittal', 'top')).toHaveText('S');
    await expect(marker('coronal', 'top')).toHaveText('S');
    await expect(marker('coronal', 'right')).toHaveText('L');
    // Hovering the axial view's centre reports world RAS mm and a HU value.
    const box = (await page.getByTestId('viewport-axial').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.getByTestId('cursor-ras')).toContainText('mm');
    await expect(page.getByTestId('cursor-value')).toContainText(/(HU|value) -?\d+/);
  });

  test('opens a DICOM series', async ({ app: page }) => {
    const folder = path.join(DATA_DIR, 'series/dcm_qa_ct_Philips_tilt');
    await openPath(page, folder);
    await waitForVolume(page, 'dcm_qa_ct_Philips_tilt');
    const dims = await page.evaluate(() => (window as unknown as { __med3d: { state(): { header: { dims: number[] } } } }).__med3d.state().header.dims);
    expect(dims[2]).toBeGreaterThan(1);
    for (const view of ['axial', 'sagittal', 'coronal']) {
      const s = await viewportStats(page, view);
      expect(s.std, `${view} view has image content`).toBeGreaterThan(5);
    }
    await expect(page.locator('.view[data-view="axial"] .mk.top')).toHaveText(/A/);
  });

  test('a corrupt file shows an error naming the file and the app keeps working', async ({ app: page }) => {
    const bad = path.join(DATA_DIR, 'nifti/malformed/not-nifti.nii');
    await openPath(page, bad);
    const alert = page.locator('.notice.error');
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('not-nifti.nii');
    // Still usable: a good scan opens afterwards.
    await openPath(page, path.join(DATA_DIR, 'nifti/ct/example_ct_sm.nii.gz'));
    await waitForVolume(page, 'example_ct_sm');
    expect((await viewportStats(page, 'axial')).std).toBeGreaterThan(8);
  });
});
