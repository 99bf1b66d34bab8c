import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Workspace } from './Workspace';
import { MANIFEST_NAME, type CaseGrid } from './manifest';
import { readNifti } from '../volume/io/nifti/readNifti';
import type { WorkspaceChangedEvent } from '../../common/api/types';

const grid: CaseGrid = {
  dims: [6, 5, 4],
  spacing: [0.8, 0.8, 2.5],
  affine: [-0.8, 0, 0, 10, 0, -0.8, 0, 20, 0, 0, 2.5, -30, 0, 0, 0, 1],
};
const N = 6 * 5 * 4;

function pattern(seed: number): Uint8Array {
  const a = new Uint8Array(N);
  for (let i = 0; i < N; i++) a[i] = (i * 31 + seed) % 7 === 0 ? (i % 3) + 1 : 0;
  return a;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'med3d-ws-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withCase(events?: WorkspaceChangedEvent[]): Promise<{ ws: Workspace; caseId: string }> {
  const ws = await Workspace.open(path.join(dir, 'ws'), { create: true, onChange: (e) => events?.push(e) });
  await writeFile(path.join(dir, 'scan.nii.gz'), 'not really a scan');
  const c = await ws.addCase(path.join(dir, 'scan.nii.gz'), { grid });
  return { ws, caseId: c.caseId };
}

describe('Workspace', () => {
  it('refuses a folder without manifest unless create is set', async () => {
    await expect(Workspace.open(dir)).rejects.toThrow(/not a Med3D workspace/);
    const ws = await Workspace.open(dir, { create: true });
    expect(ws.info().caseCount).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, MANIFEST_NAME), 'utf8')).format).toBe('med3d-workspace');
  });

  it('says why a workspace cannot be created, in one line naming the folder', async () => {
    await writeFile(path.join(dir, 'afile'), 'x');
    const at = path.join(dir, 'afile', 'ws');
    await expect(Workspace.open(at, { create: true })).rejects.toThrow(`cannot create a workspace at ${at}: ENOTDIR`);
  });

  it('names the manifest file when it is corrupt', async () => {
    await writeFile(path.join(dir, MANIFEST_NAME), '{"format": "med3d-workspace", "cases": [');
    await expect(Workspace.open(dir)).rejects.toThrow(new RegExp(`${MANIFEST_NAME}.*not valid JSON`));
  });

  it('adds cases once, with status new, and walks next/previous with a status filter', async () => {
    const ws = await Workspace.open(dir, { create: true });
    const a = await ws.addCase(path.join(dir, 'a.nii.gz'));
    const b = await ws.addCase(path.join(dir, 'b.nii'));
    const c = await ws.addCase(path.join(dir, 'c'));
    expect((await ws.addCase(path.join(dir, 'a.nii.gz'))).caseId).toBe(a.caseId);
    expect([a.name, b.name, c.name]).toEqual(['a', 'b', 'c']);
    expect(a.status).toBe('new');
    expect((await ws.adjacentCase(a.caseId, 'next'))?.caseId).toBe(b.caseId);
    expect((await ws.adjacentCase(a.caseId, 'previous'))?.caseId).toBe(c.caseId);
    await ws.setCaseStatus(c.caseId, 'verified');
    expect((await ws.adjacentCase(a.caseId, 'next', 'verified'))?.caseId).toBe(c.caseId);
    expect(await ws.adjacentCase(c.caseId, 'next', 'verified')).toBeNull();
    // Paths inside the root are stored relative (portable), reported absolute.
    const reopened = await Workspace.open(dir);
    expect(reopened.snapshot().cases[0].source).toBe('a.nii.gz');
    expect((await reopened.listCases())[0].source).toBe(path.join(dir, 'a.nii.gz'));
  });

  it('saves label versions as NIfTI on the source grid, never overwriting, and reloads them exactly', async () => {
    const events: WorkspaceChangedEvent[] = [];
    const { ws, caseId } = await withCase(events);
    const v1 = await ws.saveLabel(caseId, pattern(1), { status: 'predicted', author: 'model:lung-v1' });
    const v2 = await ws.saveLabel(caseId, pattern(2), { status: 'corrected', note: 'fixed apex', baseVersion: 1 });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.file).not.toBe(v1.file);
    expect(events.some((e) => e.reason === 'labels' && e.caseId === caseId)).toBe(true);

    const ws2 = await Workspace.open(path.join(dir, 'ws'));
    expect((await ws2.getCase(caseId)).status).toBe('corrected');
    const l1 = await ws2.loadLabel(caseId, 1);
    const latest = await ws2.loadLabel(caseId);
    expect(Buffer.from(l1!.labels).equals(Buffer.from(pattern(1)))).toBe(true);
    expect(Buffer.from(latest!.labels).equals(Buffer.from(pattern(2)))).toBe(true);
    expect(latest!.info.note).toBe('fixed apex');
    expect(latest!.info.voxelCounts).toEqual(Object.fromEntries([...new Set(pattern(2))].filter((x) => x).map((x) => [String(x), pattern(2).filter((y) => y === x).length])));
    // Geometry: the NIfTI carries the case affine (RAS+) exactly.
    const vol = await readNifti(ws2.abs(v2.file));
    expect(vol.dims).toEqual(grid.dims);
    expect([...vol.affine].map((x) => Math.round(x * 1000) / 1000)).toEqual(grid.affine);
    await expect(ws2.loadLabel(caseId, 9)).rejects.toThrow(/no label version 9/);
  });

  it('rejects a label map of the wrong size, naming the case and both sizes', async () => {
    const { ws, caseId } = await withCase();
    await expect(ws.saveLabel(caseId, new Uint8Array(7), { status: 'corrected' })).rejects.toThrow(`label map for case ${caseId} has 7 voxels, its scan 6x5x4 has 120`);
  });

  it('keeps unsaved edits in a recovery file until the next save', async () => {
    const { ws, caseId } = await withCase();
    expect(await ws.loadRecovery(caseId)).toBeNull();
    await ws.saveRecovery(caseId, pattern(5), grid.dims, null);
    expect((await ws.getCase(caseId)).hasRecovery).toBe(true);
    const rec = await ws.loadRecovery(caseId);
    expect(Buffer.from(rec!.labels).equals(Buffer.from(pattern(5)))).toBe(true);
    expect(rec!.baseVersion).toBeNull();
    await ws.saveLabel(caseId, pattern(5), { status: 'corrected' });
    expect(await ws.loadRecovery(caseId)).toBeNull();
  });

  it('serialises concurrent saves into distinct versions', async () => {
    const { ws, caseId } = await withCase();
    const infos = await Promise.all([1, 2, 3, 4].map((s) => ws.saveLabel(caseId, pattern(s), { status: 'corrected' })));
    expect(infos.map((i) => i.version).sort()).toEqual([1, 2, 3, 4]);
    // The lock keeps call order: the k-th call becomes version k.
    for (const [k, i] of infos.entries()) {
      expect(i.version).toBe(k + 1);
      const l = await ws.loadLabel(caseId, i.version);
      expect(Buffer.from(l!.labels).equals(Buffer.from(pattern(k + 1)))).toBe(true);
    }
  });

  it('a damaged label file is reported by name; other versions still load', async () => {
    const { ws, caseId } = await withCase();
    const v1 = await ws.saveLabel(caseId, pattern(1), { status: 'corrected' });
    await ws.saveLabel(caseId, pattern(2), { status: 'corrected' });
    await writeFile(ws.abs(v1.file), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    await expect(ws.loadLabel(caseId, 1)).rejects.toThrow(`cannot read ${ws.abs(v1.file)}`);
    expect(Buffer.from((await ws.loadLabel(caseId, 2))!.labels).equals(Buffer.from(pattern(2)))).toBe(true);
  });

  it('skips version numbers of orphan label files left by a crash', async () => {
    const { ws, caseId } = await withCase();
    await ws.saveLabel(caseId, pattern(1), { status: 'corrected' });
    const orphan = ws.abs(`cases/${caseId}/labels/v0002.nii.gz`);
    await writeFile(orphan, 'half-written by a crashed run');
    const v = await ws.saveLabel(caseId, pattern(2), { status: 'corrected' });
    expect(v.version).toBe(3);
    expect(await readFile(orphan, 'utf8')).toBe('half-written by a crashed run');
  });

  it('versions models with parent, training cases and metrics; activation = one-click rollback', async () => {
    const { ws } = await withCase();
    const src = path.join(dir, 'resnet_10.pth');
    await writeFile(src, Buffer.from('fake weights bytes'));
    const m1 = await ws.importModelFile(src, { task: 'lung', backbone: 'resnet10', parent: null, origin: 'import', trainingCases: [], metrics: {}, note: 'MedicalNet' });
    expect(m1).toMatchObject({ versionId: 'lung-v1', active: true, origin: 'import' });
    expect(await readFile(ws.abs(m1.file), 'utf8')).toBe('fake weights bytes');
    const r = await ws.reserveModelVersion('lung', 'm3dckpt');
    expect(r.versionId).toBe('lung-v2');
    await expect(ws.addModelVersion(r.versionId, r.file, { task: 'lung', backbone: 'resnet10', parent: 'lung-v1', origin: 'finetune', trainingCases: ['case-0001@1'], metrics: { valDice: 0.9 }, note: '' })).rejects.toThrow(/missing or empty/);
    await writeFile(r.path, 'checkpoint');
    const m2 = await ws.addModelVersion(r.versionId, r.file, { task: 'lung', backbone: 'resnet10', parent: 'lung-v1', origin: 'finetune', trainingCases: ['case-0001@1'], metrics: { valDice: 0.9 }, note: '' });
    expect(m2.active).toBe(true);
    expect(ws.activeModel('lung')?.versionId).toBe('lung-v2');
    await ws.activateModel('lung', 'lung-v1');
    const reopened = await Workspace.open(ws.root);
    expect(reopened.activeModel('lung')?.versionId).toBe('lung-v1');
    expect(reopened.listModels('lung').map((m) => [m.versionId, m.parent, m.active])).toEqual([
      ['lung-v1', null, true],
      ['lung-v2', 'lung-v1', false],
    ]);
    await expect(reopened.activateModel('liver', 'lung-v1')).rejects.toThrow(/is for task lung/);
  });

  it('two processes on one workspace do not lose each other\'s changes', async () => {
    const a = await Workspace.open(path.join(dir, 'ws'), { create: true });
    const b = await Workspace.open(path.join(dir, 'ws'));
    const ca = await a.addCase(path.join(dir, 'a.nii.gz'), { grid });
    const cb = await b.addCase(path.join(dir, 'b.nii.gz'), { grid });
    expect(cb.caseId).not.toBe(ca.caseId);
    await b.saveLabel(ca.caseId, pattern(1), { status: 'corrected' });
    await a.updateSettings({ fineTune: 'automatic' });
    const c = await Workspace.open(path.join(dir, 'ws'));
    expect((await c.listCases()).map((x) => [x.caseId, x.labelVersions])).toEqual([
      [ca.caseId, 1],
      [cb.caseId, 0],
    ]);
    expect(c.settings().fineTune).toBe('automatic');
    expect((await a.listCases()).length).toBe(2);
  });

  it('settings persist (fine-tune mode automatic/manual)', async () => {
    const { ws } = await withCase();
    expect(ws.settings().fineTune).toBe('manual');
    await ws.updateSettings({ fineTune: 'automatic' });
    expect((await Workspace.open(ws.root)).settings().fineTune).toBe('automatic');
  });
  // Kill -9 during writes: test/killSafety (real processes).
});
