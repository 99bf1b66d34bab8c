import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Workspace, type NewModelVersion } from './Workspace';
import { MANIFEST_NAME } from './manifest';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'med3d-delmodel-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rec = (note: string): NewModelVersion => ({ task: 'lung', backbone: 'resnet10', parent: null, origin: 'import', trainingCases: [], metrics: {}, note });

async function withModels(): Promise<{ ws: Workspace; root: string }> {
  const root = path.join(dir, 'ws');
  const ws = await Workspace.open(root, { create: true, log: () => undefined });
  const src = path.join(dir, 'w.pth');
  await fs.writeFile(src, 'weights bytes');
  await ws.importModelFile(src, rec('first'));
  await ws.importModelFile(src, rec('second'));
  return { ws, root };
}

describe('Workspace.deleteModel', () => {
  it('refuses the active version, removes an inactive one (entry and file), and never reuses its id', async () => {
    const { ws, root } = await withModels();
    expect(ws.activeModel('lung')?.versionId).toBe('lung-v2');
    await expect(ws.deleteModel('lung-v2')).rejects.toThrow(/lung-v2 is the active lung model: activate another version first/);
    await expect(ws.deleteModel('lung-v9')).rejects.toThrow(/no model version lung-v9/);

    await ws.activateModel('lung', 'lung-v1');
    const gone = await ws.deleteModel('lung-v2');
    expect(gone.note).toBe('second');
    await expect(fs.stat(path.join(root, gone.file))).rejects.toThrow(/ENOENT/);
    const reopened = await Workspace.open(root, { log: () => undefined });
    expect(reopened.listModels('lung').map((m) => m.versionId)).toEqual(['lung-v1']);
    // The next version is v3: v2 named a model that labels may still cite.
    const src = path.join(dir, 'w.pth');
    expect((await reopened.importModelFile(src, rec('third'))).versionId).toBe('lung-v3');
  });

  it('a checkpoint left behind by a crash after the manifest update is swept at the next open', async () => {
    const { ws, root } = await withModels();
    await ws.activateModel('lung', 'lung-v1');
    const file = path.join(root, 'models', 'lung', 'lung-v2.pth');
    const kept = await fs.readFile(file);
    await ws.deleteModel('lung-v2');
    await fs.writeFile(file, kept); // as if the process died between the manifest write and the unlink
    const logs: string[] = [];
    await Workspace.open(root, { log: (m) => logs.push(m) });
    await expect(fs.stat(file)).rejects.toThrow(/ENOENT/);
    expect(logs.some((m) => m.includes('models/lung/lung-v2.pth') && m.includes('deleted model version'))).toBe(true);
    const manifest = JSON.parse(await fs.readFile(path.join(root, MANIFEST_NAME), 'utf8')) as { retiredModels: string[] };
    expect(manifest.retiredModels).toEqual(['lung-v2']);
  });
});
