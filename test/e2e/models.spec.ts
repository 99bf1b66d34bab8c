import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { generateCtPhantom } from '../../main/tasks/phantom/ctPhantom';
import { writeConstantLungModel } from '../constantLungModel';
import { test, expect, SHARED_DIR, waitForVolume } from './fixtures';
import { importWeights, modelRow as row, modelsPanel as models } from './modelsPanel';

/** A MedicalNet-layout ResNet-10 (width 8) made by PyTorch: shared/fixtures/medicalnet (see its README). */
const WEIGHTS = path.join(SHARED_DIR, 'fixtures', 'medicalnet', 'd10_B_w8.pth');
const PYTHON = '/usr/bin/python3';

type Hooks = { state(): { loadedVersion: number | null }; labelCounts(): Record<string, number> };

test.describe('models panel (web mode)', () => {
  test('import weights, see them, roll back, refuse deleting the active one, delete, export .m3d and .pth as downloads', async ({ app: page, server }) => {
    test.skip(!existsSync(WEIGHTS), `no weights fixture at ${WEIGHTS} (shared/ absent)`);
    page.on('dialog', (d) => void d.accept());
    // The server may read files inside its workspace: put the weights there, as a user's upload folder.
    const incoming = path.join(server.workspace, 'incoming');
    mkdirSync(incoming, { recursive: true });
    const file = path.join(incoming, 'resnet_10_w8.pth');
    copyFileSync(WEIGHTS, file);

    // Other specs may have left versions in this worker's workspace: follow the ids these imports get.
    const a = await importWeights(page, { file, note: 'first import' });
    await expect(row(page, a)).toHaveAttribute('data-active', 'true');
    await expect(row(page, a)).toContainText('resnet10');
    await expect(row(page, a)).toContainText('import');
    await expect(row(page, a)).toContainText('first import');
    const b = await importWeights(page, { file, note: 'second import' });
    await expect(row(page, b)).toHaveAttribute('data-active', 'true');
    await expect(row(page, a)).toHaveAttribute('data-active', 'false');

    // Roll back to the older version.
    await row(page, a).getByRole('button', { name: 'Roll back' }).click();
    await expect(row(page, a)).toHaveAttribute('data-active', 'true');
    await expect(row(page, b)).toHaveAttribute('data-active', 'false');
    await expect(row(page, b).getByRole('button', { name: 'Activate' })).toBeVisible();

    // The active version cannot be deleted; the message says what to do.
    await row(page, a).getByRole('button', { name: 'Delete' }).click();
    await expect(page.locator('.notice.error')).toContainText(`${a} is the active lung model: activate another version first`);
    await page.locator('.notice.error').getByRole('button', { name: 'Dismiss' }).click();
    await expect(row(page, a)).toHaveCount(1);
    await row(page, b).getByRole('button', { name: 'Delete' }).click();
    await expect(row(page, b)).toHaveCount(0);
    expect(existsSync(path.join(server.workspace, 'models', 'lung', `${b}.pth`))).toBe(false);

    // Export: the browser downloads the file.
    for (const format of ['m3d', 'pth'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), row(page, a).getByRole('button', { name: `Export .${format}` }).click()]);
      expect(download.suggestedFilename()).toBe(`${a}.${format}`);
      const saved = path.join(incoming, `downloaded.${format}`);
      await download.saveAs(saved);
      const bytes = readFileSync(saved);
      expect(bytes.length).toBeGreaterThan(100_000);
      if (format === 'pth') {
        expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK'); // torch.save's zip format
        if (existsSync(PYTHON)) {
          const keys = execFileSync(PYTHON, ['-c', 'import sys, torch; sd = torch.load(sys.argv[1], map_location="cpu")["state_dict"]; print(len(sd), sd["module.conv1.weight"].shape[0])', saved], { encoding: 'utf8' }).trim();
          expect(keys).toMatch(/^\d+ 8$/);
        }
      }
    }
  });

  test('rollback restores the previous predictions: predict the open case with the version just activated', async ({ app: page, server }) => {
    test.setTimeout(300_000);
    page.on('dialog', (d) => void d.accept());
    const incoming = path.join(server.workspace, 'incoming');
    mkdirSync(incoming, { recursive: true });
    const nothing = path.join(incoming, 'finds-nothing.m3d');
    const everywhere = path.join(incoming, 'right-lung-everywhere.m3d');
    await writeConstantLungModel(nothing, 0);
    await writeConstantLungModel(everywhere, 1);
    await page.getByRole('button', { name: 'Demo', exact: true }).click();
    await waitForVolume(page, 'demo');
    const older = await importWeights(page, { file: nothing, note: 'finds nothing' });
    const newer = await importWeights(page, { file: everywhere, note: 'right lung everywhere' });
    const state = () => page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().loadedVersion);
    /** Activate (or roll back to) a version, then predict the open case with it from the panel's offer. */
    const predictWith = async (versionId: string, button: 'Activate' | 'Roll back'): Promise<Record<string, number>> => {
      const before = await state();
      await row(page, versionId).getByRole('button', { name: button }).click();
      await expect(row(page, versionId)).toHaveAttribute('data-active', 'true');
      await models(page).getByRole('button', { name: 'Predict the open case with it' }).click();
      await expect.poll(state, { timeout: 180_000 }).not.toBe(before);
      return page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.labelCounts());
    };
    const nothingCounts = await predictWith(older, 'Roll back');
    expect(Object.values(nothingCounts).reduce((a, b) => a + b, 0)).toBe(0);
    const everywhereCounts = await predictWith(newer, 'Activate');
    expect(everywhereCounts['1']).toBeGreaterThan(0);
    expect(await predictWith(older, 'Roll back')).toEqual(nothingCounts);
  });

  test('Batch segmentation…: a folder through the lung task, progress in the jobs panel, report with outputs and times', async ({ app: page, server }) => {
    test.setTimeout(240_000);
    const input = path.join(server.workspace, 'incoming', 'batch-in');
    mkdirSync(input, { recursive: true });
    await writeNifti(path.join(input, 'chest1.nii.gz'), generateCtPhantom({ dims: [48, 48, 32], seed: 3 }).ct);
    // Output inside the workspace may only go to its exports/ folder.
    const out = path.join(server.workspace, 'exports', 'batch-out');

    await models(page).getByRole('button', { name: 'Batch segmentation…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Batch segmentation' });
    await dialog.getByLabel('Input folder', { exact: true }).fill(input);
    await dialog.getByLabel('Output folder', { exact: true }).fill(out);
    await dialog.getByLabel('Batch task').selectOption('lung');
    // Cold start: whatever lung model other specs left active in this workspace.
    await dialog.getByLabel('Batch model').selectOption('cold-start');
    await dialog.getByRole('button', { name: 'Run batch' }).click();
    await expect(page.locator('.job').filter({ hasText: /Batch lung segmentation/ }).first()).toBeVisible();
    const report = dialog.getByTestId('batch-report');
    await expect(report).toBeVisible({ timeout: 200_000 });
    await expect(report).toContainText('1 done, 0 failed');
    const line = report.locator('tr[data-case="chest1"]');
    await expect(line).toContainText('ok');
    await expect(line).toContainText(path.join(out, 'chest1.lung.nii.gz'));
    await expect(line).toContainText(/\d+\.\d s/);
    expect(existsSync(path.join(out, 'chest1.lung.nii.gz'))).toBe(true);
  });
});
