import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, realpath, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServiceHostClient } from './ServiceHostClient';
import { createApiClient } from '../../common/api/createApiClient';
import { createLocalTransport } from '../../common/api/localTransport';
import { writeNifti } from '../volume/io/nifti/writeNifti';
import type { Med3dApi } from '../../common/api/Med3dApi';
import type { WorkspaceChangedEvent } from '../../common/api/types';

let dir: string;
let host: ServiceHostClient;
let api: Med3dApi;
let chosen: string;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-host-')));
  await mkdir(path.join(dir, 'elsewhere'));
  chosen = path.join(dir, 'elsewhere', 'scan.nii.gz');
  await writeNifti(chosen, { data: new Int16Array(4 * 4 * 3).fill(-500), dims: [4, 4, 3], spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } });
  host = new ServiceHostClient({
    entry: new URL('./serviceHostEntry.mjs', import.meta.url),
    init: { mode: 'electron', version: '1.2.3', workspace: path.join(dir, 'ws'), roots: [], configDir: null, initialOpen: { kind: 'demo' }, nativeDialogs: true, engineInfo: false, tasksDir: path.join(dir, 'no-tasks') },
    dialogs: { choose: async (purpose) => (purpose === 'nifti' ? chosen : null) },
  });
  await host.start();
  api = createApiClient(createLocalTransport(host.dispatch, host.events));
});
afterAll(async () => {
  await host.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('Med3dService hosted in a worker thread (Electron main stays free)', () => {
  it('answers API calls, with native dialogs served by the main side', async () => {
    expect(await api.getAppInfo()).toMatchObject({ mode: 'electron', version: '1.2.3', nativeDialogs: true });
    expect((await api.openVolume({ kind: 'path', path: chosen }).catch((e: Error) => e)) instanceof Error).toBe(true);
    expect(await api.chooseFile({ purpose: 'weights' })).toBeNull();
    expect(await api.chooseFile({ purpose: 'nifti' })).toEqual({ path: chosen });
    const events: WorkspaceChangedEvent[] = [];
    const off = api.onWorkspaceChanged((e) => events.push(e));
    const hdr = await api.openVolume({ kind: 'path', path: chosen });
    expect(hdr).toMatchObject({ dims: [4, 4, 3], min: -500, max: -500 });
    expect([...new Int16Array(await api.getVoxels({ volumeId: hdr.volumeId }))].every((x) => x === -500)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    off();
    expect(events.some((e) => e.reason === 'cases')).toBe(true);
  });

  it('moves getVoxels replies out of the worker without giving away the open volume', async () => {
    const file = path.join(dir, 'elsewhere', 'ramp.nii');
    const ramp = Int16Array.from({ length: 4 * 4 * 3 }, (_, i) => i - 20);
    await writeNifti(file, { data: ramp, dims: [4, 4, 3], spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: [] } });
    await host.grant(file);
    const hdr = await api.openVolume({ kind: 'path', path: file });
    for (let round = 0; round < 2; round++) {
      expect([...new Int16Array(await api.getVoxels({ volumeId: hdr.volumeId, kStart: 1, kCount: 1 }))]).toEqual([...ramp.subarray(16, 32)]);
      expect([...new Int16Array(await api.getVoxels({ volumeId: hdr.volumeId }))]).toEqual([...ramp]);
    }
  });

  it('grants user-chosen paths (drag-and-drop) and refuses relative ones', async () => {
    await expect(host.grant('relative/x.nii')).rejects.toThrow(/absolute/);
    expect(await host.grant(path.join(dir, 'elsewhere'))).toBe(path.join(dir, 'elsewhere'));
  });

  it('keeps the calling event loop responsive while the service generates the demo phantom', async () => {
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    const t0 = performance.now();
    const demo = await api.openVolume({ kind: 'demo' });
    const took = performance.now() - t0;
    clearInterval(timer);
    expect(demo.dims).toEqual([160, 160, 96]);
    // The phantom takes seconds of CPU; the host loop must never stall for a large part of it.
    expect(worst).toBeLessThan(Math.max(250, took / 4));
  });
});
