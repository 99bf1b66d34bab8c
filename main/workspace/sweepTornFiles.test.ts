import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Workspace } from './Workspace';
import { SWEPT_DIR } from './sweepTornFiles';
import type { CaseGrid } from './manifest';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'med3d-sweep-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const grid: CaseGrid = { dims: [4, 3, 2], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] };

describe('Workspace.open sweeps what a killed writer left', () => {
  it('deletes temp files of dead writers, moves unlisted label files aside, keeps everything listed or in use', async () => {
    const root = path.join(dir, 'ws');
    const ws = await Workspace.open(root, { create: true, log: () => undefined });
    const { caseId } = await ws.addCase(path.join(dir, 'scan.nii.gz'), { grid });
    const v1 = await ws.saveLabel(caseId, new Uint8Array(24).fill(1), { status: 'corrected' });
    const labelsDir = path.join(root, 'cases', caseId, 'labels');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const torn = {
      manifest: path.join(root, `.med3d-workspace.json.${dead}.0badc0de.tmp`),
      label: path.join(labelsDir, `.v0002.nii.gz.${dead}.00000001.tmp`),
    };
    const live = path.join(labelsDir, `.v0003.nii.gz.${process.pid}.00000002.tmp`);
    const orphan = path.join(labelsDir, 'v0002.nii.gz');
    for (const f of [torn.manifest, torn.label, live]) await fs.writeFile(f, 'partial');
    await fs.writeFile(orphan, 'a label written before a kill -9, never listed');

    const logs: string[] = [];
    const again = await Workspace.open(root, { log: (m) => logs.push(m) });

    for (const f of Object.values(torn)) await expect(fs.stat(f)).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(live, 'utf8')).toBe('partial');
    await expect(fs.stat(orphan)).rejects.toThrow(/ENOENT/);
    const swept = path.join(root, SWEPT_DIR);
    const [stamp] = await fs.readdir(swept);
    expect(await fs.readFile(path.join(swept, stamp, 'cases', caseId, 'labels', 'v0002.nii.gz'), 'utf8')).toBe('a label written before a kill -9, never listed');
    expect(logs.filter((m) => m.includes('deleted'))).toHaveLength(2);
    expect(logs.some((m) => m.includes(`moved cases/${caseId}/labels/v0002.nii.gz to ${SWEPT_DIR}/`))).toBe(true);
    // The listed version is untouched and still loads.
    expect((await again.loadLabel(caseId, v1.version))?.labels.every((x) => x === 1)).toBe(true);
    expect(again.listLabelVersions(caseId).map((v) => v.version)).toEqual([1]);
  });
});
