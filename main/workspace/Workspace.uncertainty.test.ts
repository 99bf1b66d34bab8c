import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Workspace } from './Workspace';
import type { CaseGrid } from './manifest';

const grid: CaseGrid = { dims: [4, 3, 2], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-ws-u-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Workspace: stored uncertainty (active learning)', () => {
  it('keeps a prediction uncertainty with its label version, lists it and orders "next to correct" by it', async () => {
    const ws = await Workspace.open(path.join(dir, 'ws'), { create: true });
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c', 'd']) {
      await writeFile(path.join(dir, `${n}.nii`), n);
      ids.push((await ws.addCase(path.join(dir, `${n}.nii`), { grid })).caseId);
    }
    const scores = [0.2, 0.6, 0.4];
    for (const [i, value] of scores.entries()) {
      await ws.saveLabel(ids[i], new Uint8Array(24), { status: 'predicted', author: 'model:x', uncertainty: { value, measure: 'entropy', modelVersion: 'lung-v1' } });
    }
    const listed = await ws.listCases();
    expect(listed.map((c) => c.uncertainty)).toEqual([0.2, 0.6, 0.4, null]);
    expect(listed[1].uncertaintyInfo).toMatchObject({ value: 0.6, measure: 'entropy', modelVersion: 'lung-v1', labelVersion: 1 });

    // Next: the most uncertain case to correct other than the open one; previous: the least (unscored last).
    expect((await ws.adjacentCase(undefined, 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[1]);
    expect((await ws.adjacentCase(ids[0], 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[1]);
    expect((await ws.adjacentCase(ids[1], 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[2]);
    expect((await ws.adjacentCase(ids[2], 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[1]);
    expect((await ws.adjacentCase(ids[1], 'previous', undefined, 'uncertainty'))?.caseId).toBe(ids[3]);

    // Verified: out of the ranking, its score kept for the record.
    await ws.saveLabel(ids[1], new Uint8Array(24), { status: 'verified' });
    expect((await ws.getCase(ids[1])).uncertainty).toBe(0.6);
    expect((await ws.adjacentCase(ids[1], 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[2]);
    expect((await ws.adjacentCase(ids[2], 'next', undefined, 'uncertainty'))?.caseId).toBe(ids[0]);
    expect((await ws.adjacentCase(ids[2], 'next', 'predicted', 'uncertainty'))?.caseId).toBe(ids[0]);
    expect((await ws.adjacentCase(ids[0], 'next', 'verified', 'uncertainty'))?.caseId).toBe(ids[1]);
    // Nothing left to correct but the open case: null.
    for (const id of [ids[0], ids[3]]) await ws.setCaseStatus(id, 'corrected');
    expect(await ws.adjacentCase(ids[2], 'next', undefined, 'uncertainty')).toBeNull();
  });
});
