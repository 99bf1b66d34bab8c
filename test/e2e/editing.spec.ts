import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, openPath, waitForVolume, hasData, DATA_DIR } from './fixtures';

type Hooks = {
  api: { loadLabel(r: { caseId: string; version?: number }): Promise<{ labels: ArrayBuffer; version: { version: number } } | null> };
  labelsInSourceOrder(): number[] | null;
  labelCounts(): Record<string, number>;
  clientAtVoxel(view: string, ijk: [number, number, number]): [number, number] | null;
  state(): { caseId: string | null; loadedVersion: number | null; dirty: boolean; undoDepth: number; redoDepth: number; header: { dims: number[] } | null };
};

/** Sparse form of the label map: "index:value" of every labelled voxel. */
async function paintedVoxels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const l = (window as unknown as { __med3d: Hooks }).__med3d.labelsInSourceOrder()!;
    const out: string[] = [];
    for (let n = 0; n < l.length; n++) if (l[n]) out.push(`${n}:${l[n]}`);
    return out;
  });
}

async function state(page: Page): Promise<ReturnType<Hooks['state']>> {
  return page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state());
}

test.describe('editing', () => {
  test.skip(!hasData, `../shared/data not found (${DATA_DIR}): editing e2e tests need the public test scans`);

  test('paint a stroke, undo, redo, save; reloading the workspace gives the same mask voxel for voxel', async ({ app: page, server }) => {
    const file = path.join(DATA_DIR, 'nifti/ct/example_ct_sm.nii.gz');
    await openPath(page, file);
    await waitForVolume(page, 'example_ct_sm');
    const dims = (await state(page)).header!.dims;
    const k = Math.floor(dims[2] / 2);
    const from = await page.evaluate(([d, kk]) => (window as unknown as { __med3d: Hooks }).__med3d.clientAtVoxel('axial', [Math.round(d[0] * 0.3), Math.round(d[1] * 0.5), kk]), [dims, k] as const);
    const to = await page.evaluate(([d, kk]) => (window as unknown as { __med3d: Hooks }).__med3d.clientAtVoxel('axial', [Math.round(d[0] * 0.7), Math.round(d[1] * 0.6), kk]), [dims, k] as const);
    expect(from && to).toBeTruthy();

    await page.getByRole('button', { name: 'Brush', exact: true }).click();
    await page.getByLabel('Brush diameter (mm)').fill('6');
    await page.mouse.move(from![0], from![1]);
    await page.mouse.down();
    await page.mouse.move(to![0], to![1], { steps: 12 });
    await page.mouse.up();

    const painted = await paintedVoxels(page);
    expect(painted.length).toBeGreaterThan(20);
    expect(new Set(painted.map((p) => p.split(':')[1]))).toEqual(new Set(['1']));
    expect((await state(page)).undoDepth).toBe(1);

    await page.getByRole('button', { name: 'Undo' }).click();
    expect(await paintedVoxels(page)).toEqual([]);
    await page.keyboard.press('Control+y');
    expect(await paintedVoxels(page)).toEqual(painted);

    await page.getByRole('button', { name: /^Save/ }).click();
    await expect(page.locator('.notice').filter({ hasText: /Saved label version 1/ })).toBeVisible();
    const caseId = (await state(page)).caseId!;
    expect(caseId).toBeTruthy();

    // Reload: a fresh page on the same workspace. The case is listed; opening it shows the saved mask.
    await page.goto(`${server.url}&empty`);
    await page.locator(`li[data-case="${caseId}"] button`).click();
    await waitForVolume(page, 'example_ct_sm');
    await expect.poll(async () => (await state(page)).loadedVersion).toBe(1);
    expect(await paintedVoxels(page)).toEqual(painted);
    // And the stored file itself, read back through the API, matches voxel for voxel.
    const stored = await page.evaluate(async (id) => {
      const d = await (window as unknown as { __med3d: Hooks }).__med3d.api.loadLabel({ caseId: id });
      const a = new Uint8Array(d!.labels);
      const out: string[] = [];
      for (let n = 0; n < a.length; n++) if (a[n]) out.push(`${n}:${a[n]}`);
      return out;
    }, caseId);
    expect(stored).toEqual(painted);
  });
});
