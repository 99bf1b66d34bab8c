import path from 'node:path';
import type { Page } from '@playwright/test';
import { generateCtPhantom } from '../../main/tasks/phantom/ctPhantom';
import { writeNifti } from '../../main/volume/io/nifti/writeNifti';
import { test, expect } from './fixtures';

type Case = { caseId: string; name: string; status: string; uncertainty: number | null };
type Hooks = {
  api: {
    addCase(r: { path: string; name?: string }): Promise<Case>;
    runTask(r: { task: 'lung'; caseId: string }): Promise<{ jobId: string }>;
    getJob(r: { jobId: string }): Promise<{ state: string; error?: { message: string } }>;
    listCases(): Promise<Case[]>;
    setCaseStatus(r: { caseId: string; status: string }): Promise<Case>;
  };
  state(): { caseId: string | null };
};

/** Call one API method in the page (the same client the UI uses). */
const call = <T>(page: Page, method: keyof Hooks['api'], arg?: unknown): Promise<T> =>
  page.evaluate(([m, a]) => ((window as unknown as { __med3d: Hooks }).__med3d.api[m] as (x: unknown) => Promise<T>)(a), [method, arg] as const);
const openCaseId = (page: Page): Promise<string | null> => page.evaluate(() => (window as unknown as { __med3d: Hooks }).__med3d.state().caseId);

/**
 * Active learning through the UI: three scans predicted by the lung task (cold start, no model needed
 * in web mode's --no-engine server) store an uncertainty each; "Next to correct" walks them most
 * uncertain first and shows the score; the case list sorts by it; a verified case drops out.
 */
test('"Next to correct" follows the uncertainty stored by each prediction; the case list sorts by it', async ({ app: page, server }) => {
  test.setTimeout(300_000);
  const dir = path.join(server.workspace, 'incoming');
  // More noise puts more voxels near the cold start's HU threshold: a less certain mask.
  const noise = { quiet: 4, middling: 60, noisy: 140 };
  const ids: Record<string, string> = {};
  for (const [name, noiseHu] of Object.entries(noise)) {
    const file = path.join(dir, `${name}.nii.gz`);
    await writeNifti(file, generateCtPhantom({ dims: [64, 64, 40], seed: 2, noiseHu }).ct);
    ids[name] = (await call<Case>(page, 'addCase', { path: file, name })).caseId;
  }
  for (const caseId of Object.values(ids)) {
    const { jobId } = await call<{ jobId: string }>(page, 'runTask', { task: 'lung', caseId });
    await expect
      .poll(async () => (await call<{ state: string }>(page, 'getJob', { jobId })).state, { timeout: 120_000 })
      .toBe('done');
  }
  const cases = await call<Case[]>(page, 'listCases');
  const scored = cases.filter((c) => Object.values(ids).includes(c.caseId));
  expect(scored.every((c) => c.status === 'predicted' && typeof c.uncertainty === 'number' && c.uncertainty > 0)).toBe(true);
  const ranked = [...scored].sort((a, b) => b.uncertainty! - a.uncertainty!);
  expect(ranked.map((c) => c.name)).toEqual(['noisy', 'middling', 'quiet']);

  // The list shows the scores; sorted by uncertainty it reads most uncertain first.
  await expect(page.locator(`li[data-case="${ids.noisy}"] [data-testid="case-uncertainty"]`)).toHaveText(ranked[0].uncertainty!.toFixed(3));
  await page.getByLabel('Sort cases').selectOption('uncertainty');
  const shownOrder = async (): Promise<Array<string | null>> =>
    (await page.locator('ul.cases li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-case')))).filter((id) => Object.values(ids).includes(id!));
  await expect.poll(shownOrder).toEqual(ranked.map((c) => c.caseId));
  for (const c of ranked) await expect(page.locator(`li[data-case="${c.caseId}"] [data-testid="case-uncertainty"]`)).toHaveText(c.uncertainty!.toFixed(3));

  // Next to correct: the most uncertain case other than the open one, with its score.
  const next = page.getByRole('button', { name: 'Next to correct' });
  for (const c of ranked.slice(0, 2)) {
    await next.click();
    await expect.poll(() => openCaseId(page), { timeout: 60_000 }).toBe(c.caseId);
    await expect(page.getByTestId('next-to-correct')).toContainText(`${c.name} · uncertainty ${c.uncertainty!.toFixed(3)}`);
  }

  // A verified case leaves the ranking: Next to correct now offers the two cases still to correct, the other one each time.
  await call(page, 'setCaseStatus', { caseId: ranked[0].caseId, status: 'verified' });
  await next.click();
  await expect.poll(() => openCaseId(page), { timeout: 60_000 }).toBe(ranked[2].caseId);
  await next.click();
  await expect.poll(() => openCaseId(page), { timeout: 60_000 }).toBe(ranked[1].caseId);
});
