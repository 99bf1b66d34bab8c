import path from 'node:path';
import type { Page } from '@playwright/test';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { test, expect, openPath, waitForVolume } from './fixtures';

type Hooks = {
  labelCounts(): Record<string, number>;
  clientAtVoxel(view: string, ijk: [number, number, number]): [number, number] | null;
};

const DIMS: [number, number, number] = [40, 40, 20];
/** 1 × 1 × 2 mm voxels: 2 mm³ = 0.002 mL each. */
const AFFINE = Float64Array.from([1, 0, 0, -20, 0, 1, 0, -20, 0, 0, 2, -20, 0, 0, 0, 1]);

/** A NIfTI without modality: `inside` in the box i, j ∈ [8, 32), `peak` in the corner i, j ∈ [35, 38) (bone), `outside` elsewhere. */
async function writeScan(file: string, outside: number, inside: number, peak = inside): Promise<void> {
  const data = new Int16Array(DIMS[0] * DIMS[1] * DIMS[2]).fill(outside);
  for (let k = 0; k < DIMS[2]; k++) for (let j = 8; j < 32; j++) for (let i = 8; i < 32; i++) data[i + DIMS[0] * (j + DIMS[1] * k)] = inside;
  for (let k = 0; k < DIMS[2]; k++) for (let j = 35; j < 38; j++) for (let i = 35; i < 38; i++) data[i + DIMS[0] * (j + DIMS[1] * k)] = peak;
  await writeNifti(file, { data, dims: DIMS, spacing: [1, 1, 2], affine: AFFINE, meta: { warnings: [] } });
}

async function hoverCentre(page: Page): Promise<void> {
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

const counts = (page: Page) => page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.labelCounts());

test.describe('values and label statistics', () => {
  // One test (each scan open costs seconds of SwiftShader rendering): HU recognition and toggle, then statistics.
  test('a NIfTI CT reads out in HU and its labels show voxels, mL, mean ± std HU after strokes and undo; an MR-like NIfTI reads "value"', async ({ app: page, server }) => {
    const dir = path.join(server.workspace, 'incoming');
    await writeScan(path.join(dir, 'ct-like.nii.gz'), -1024, 40, 900);
    await writeScan(path.join(dir, 'mr-like.nii.gz'), 0, 3000);

    await openPath(page, path.join(dir, 'ct-like.nii.gz'));
    await waitForVolume(page, 'ct-like');
    await hoverCentre(page);
    await expect(page.getByTestId('cursor-value')).toHaveText('HU 40');
    const toggle = page.getByLabel('Values are CT Hounsfield units');
    await expect(toggle).toBeChecked();
    await expect(page.getByTestId('label-stats-1')).toHaveCount(0);

    const at = (ijk: [number, number, number]) => page.evaluate((p) => (window as unknown as { __med3d: Hooks }).__med3d.clientAtVoxel('axial', p), ijk);
    const from = (await at([14, 20, 10]))!;
    const to = (await at([26, 20, 10]))!;
    await page.getByRole('button', { name: 'Brush', exact: true }).click();
    await page.getByLabel('Brush diameter (mm)').fill('6');
    await page.mouse.move(from[0], from[1]);
    await page.mouse.down();
    await page.mouse.move(to[0], to[1], { steps: 8 });
    await page.mouse.up();

    // The stroke lies inside the 40 HU box: every painted voxel is 40 HU, each 0.002 mL.
    const n = (await counts(page))['1'];
    expect(n).toBeGreaterThan(20);
    const row = page.getByTestId('label-stats-1');
    const firstStroke = `${n} vox · ${(n * 0.002).toFixed(n * 0.002 >= 1 ? 1 : 3)} mL · HU 40.0 ± 0.0`;
    await expect(row).toHaveText(firstStroke);

    // A second stroke across the box edge mixes 40 and -1024 HU: the mean falls and the spread grows.
    const edgeFrom = (await at([28, 14, 10]))!;
    const edgeTo = (await at([38, 14, 10]))!;
    await page.mouse.move(edgeFrom[0], edgeFrom[1]);
    await page.mouse.down();
    await page.mouse.move(edgeTo[0], edgeTo[1], { steps: 8 });
    await page.mouse.up();
    await expect(row).not.toContainText('HU 40.0 ± 0.0');
    await expect(row).toContainText(`${(await counts(page))['1']} vox`);
    await expect(row).toHaveText(/HU -?\d+(\.\d)? ± [1-9]\d*(\.\d)?$/);

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(row).toHaveText(firstStroke);

    // The user says these are not HU: readout and statistics say "value".
    await toggle.uncheck();
    await expect(row).toHaveText(firstStroke.replace('HU', 'value'));
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(row).toHaveCount(0);
    await page.getByRole('button', { name: 'W/L' }).click();
    await hoverCentre(page);
    await expect(page.getByTestId('cursor-value')).toHaveText('value 40');

    page.on('dialog', (d) => void d.accept()); // "unsaved changes" when opening the next scan
    await openPath(page, path.join(dir, 'mr-like.nii.gz'));
    await waitForVolume(page, 'mr-like');
    await hoverCentre(page);
    await expect(page.getByTestId('cursor-value')).toHaveText('value 3000');
    await expect(toggle).not.toBeChecked();
    await toggle.check();
    await expect(page.getByTestId('cursor-value')).toHaveText('HU 3000');
  });
});
