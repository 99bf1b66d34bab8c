import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from './Workspace';
import { addNoduleMark, listNoduleMarks, noduleClass, removeNoduleMark, updateNoduleMark } from './noduleMarks';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nodule-marks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('nodule marks', () => {
  it('LIDC 1–3 benign, 4–5 malignant; a contradicting or missing class is refused', () => {
    expect(noduleClass({ malignancy: 3 })).toEqual({ label: 'benign', malignancy: 3 });
    expect(noduleClass({ malignancy: 4, label: 'malignant' })).toEqual({ label: 'malignant', malignancy: 4 });
    expect(noduleClass({ label: 'benign' })).toEqual({ label: 'benign', malignancy: null });
    expect(() => noduleClass({ malignancy: 5, label: 'benign' })).toThrow(/malignancy 5 is malignant .* label says benign/);
    expect(() => noduleClass({ malignancy: 6 })).toThrow(/LIDC rating 1..5/);
    expect(() => noduleClass({})).toThrow(/needs its class/);
  });

  it('add, update, remove: stored in the manifest, ids never reused, kept across reopen', async () => {
    const root = path.join(tmp, 'ws');
    const ws = await Workspace.open(root, { create: true });
    const a = await ws.addCase(path.join(tmp, 'a.nii.gz'));
    const b = await ws.addCase(path.join(tmp, 'b.nii.gz'));
    const m1 = await addNoduleMark(ws, a.caseId, { centerWorld: [1, 2, 3], centerVoxel: [4, 5, 6], radiusMm: 5, shape: 'candidate', malignancy: 2 });
    expect(m1).toMatchObject({ markId: 'nodule-1', caseId: a.caseId, label: 'benign', malignancy: 2, radiusMm: 5, shape: 'candidate' });
    const m2 = await addNoduleMark(ws, a.caseId, { centerWorld: [7, 8, 9], centerVoxel: [1, 1, 1], radiusMm: 8, shape: 'sphere', label: 'malignant' });
    await addNoduleMark(ws, b.caseId, { centerWorld: [0, 0, 0], centerVoxel: [0, 0, 0], radiusMm: 3, shape: 'sphere', malignancy: 5 });
    await removeNoduleMark(ws, a.caseId, m1.markId);
    const m3 = await addNoduleMark(ws, a.caseId, { centerWorld: [0, 1, 0], centerVoxel: [0, 1, 0], radiusMm: 4, shape: 'sphere', malignancy: 1 });
    expect(m3.markId).toBe('nodule-3');
    const up = await updateNoduleMark(ws, a.caseId, m2.markId, { malignancy: 3, radiusMm: 6 });
    expect(up).toMatchObject({ label: 'benign', malignancy: 3, radiusMm: 6 });
    await expect(updateNoduleMark(ws, a.caseId, 'nodule-1', { label: 'benign' })).rejects.toThrow(/no nodule mark nodule-1/);
    await expect(addNoduleMark(ws, 'case-9999', { centerWorld: [0, 0, 0], centerVoxel: [0, 0, 0], radiusMm: 3, shape: 'sphere', label: 'benign' })).rejects.toThrow(/no case case-9999/);

    const again = await Workspace.open(root);
    expect((await listNoduleMarks(again, a.caseId)).map((m) => [m.markId, m.label, m.malignancy])).toEqual([
      ['nodule-2', 'benign', 3],
      ['nodule-3', 'benign', 1],
    ]);
    expect((await listNoduleMarks(again)).map((m) => `${m.caseId}/${m.markId}`)).toEqual([`${a.caseId}/nodule-2`, `${a.caseId}/nodule-3`, `${b.caseId}/nodule-1`]);
  });
});
