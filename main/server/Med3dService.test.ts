import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Med3dService } from './Med3dService';
import { bindIpc } from './ipcBinding';
import { startWebServer, type WebServer } from './webServer';
import { createFakeIpc } from './testing/fakeIpc';
import { createBridge } from '../../preload/createBridge';
import { JobRegistry } from '../jobs/jobRegistry';
import { writeNifti } from '../volume/io/nifti/writeNifti';
import { createApiClient } from '../../common/api/createApiClient';
import { createApiDispatcher } from '../../common/api/dispatcher';
import { createLocalTransport } from '../../common/api/localTransport';
import { createIpcTransport } from '../../common/api/ipcTransport';
import { createWsTransport, type WebSocketLike } from '../../common/api/wsTransport';
import { ApiError } from '../../common/api/errors';
import type { Med3dApi } from '../../common/api/Med3dApi';
import type { JobInfo, WorkspaceChangedEvent } from '../../common/api/types';
import { FIXTURES_DIR, sharedAvailable } from '../../test/sharedDir';

const DIMS: [number, number, number] = [8, 6, 5];
const N = 8 * 6 * 5;
const AFFINE = [-1, 0, 0, 4, 0, -1.5, 0, 5, 0, 0, 2, -6, 0, 0, 0, 1];

function ct(): Int16Array {
  const a = new Int16Array(N);
  for (let i = 0; i < N; i++) a[i] = -1000 + ((i * 37) % 1400);
  return a;
}

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-svc-')));
  await mkdir(path.join(dir, 'data'));
  await mkdir(path.join(dir, 'rw'));
  await writeNifti(path.join(dir, 'data', 'scan.nii.gz'), { data: ct(), dims: DIMS, spacing: [1, 1.5, 2], affine: Float64Array.from(AFFINE), meta: { warnings: [] } });
  await writeFile(path.join(dir, 'data', 'corrupt.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeService(name: string): Promise<Med3dService> {
  const registry = new JobRegistry();
  registry.register('echo', {
    validate: (p) => {
      if (typeof (p as { steps?: unknown } | null)?.steps !== 'number') throw new Error('params.steps must be a number');
    },
    run: async (ctx) => {
      const steps = (ctx.params as { steps: number }).steps;
      for (let s = 1; s <= steps; s++) {
        await new Promise((r) => setTimeout(r, 2));
        ctx.throwIfCancelled();
        ctx.curve('loss', s, 1 / s);
        ctx.progress(s / steps, `step ${s}`);
      }
      return { steps, caseId: ctx.caseId ?? null };
    },
  });
  // Declares its path parameters like the real 'batch' kind: reads `in`, writes `out`, `model` is a path or a model id.
  registry.register('copy', {
    pathParams: { in: 'read', out: 'write', model: { access: 'read', idPattern: /^[A-Za-z0-9_-]+$/ } },
    run: async (ctx) => {
      const p = ctx.params as { in: string; out: string; model?: string };
      await mkdir(p.out, { recursive: true });
      await writeFile(path.join(p.out, 'copied.txt'), p.in);
      return { in: p.in, out: p.out, model: p.model ?? null };
    },
  });
  registry.register('finetune', {
    validate: (p) => {
      if ((p as { task?: unknown } | null)?.task !== 'lung') throw new Error('finetune: task must be lung here');
    },
    run: async (ctx) => {
      // Trains until cancelled (or 10 s), so the test sees it as running.
      for (let i = 0; i < 1000 && !ctx.signal.aborted; i++) await new Promise((r) => setTimeout(r, 10));
      return { task: (ctx.params as { task: string }).task, trigger: (ctx.params as { trigger: string }).trigger };
    },
  });
  return Med3dService.create({
    mode: 'web',
    version: '0.0.0-test',
    workspace: path.join(dir, `ws-${name}`),
    roots: [path.join(dir, 'data'), path.join(dir, 'rw')],
    configDir: path.join(dir, `cfg-${name}`),
    registry,
    discoverJobKinds: false,
    demo: async () => ({
      ct: { data: ct(), dims: DIMS, spacing: [1, 1.5, 2], affine: Float64Array.from(AFFINE), meta: { warnings: [], modality: 'CT' } },
      labels: [{ value: 1, name: 'Right lung', color: [255, 0, 0] }],
    }),
  });
}

interface Harness {
  api: Med3dApi;
  close(): Promise<void>;
}

const transports: Array<[string, (svc: Med3dService) => Promise<Harness>]> = [
  [
    'in-process',
    async (svc) => ({ api: createApiClient(createLocalTransport(createApiDispatcher(svc), svc.events)), close: async () => undefined }),
  ],
  [
    'Electron IPC (fake ipcMain/ipcRenderer through the preload bridge)',
    async (svc) => {
      const fake = createFakeIpc();
      const binding = bindIpc({ ipcMain: fake.ipcMain, dispatch: createApiDispatcher(svc), events: svc.events, isTrustedSender: (u) => u.startsWith('file://') });
      binding.attach(fake.webContents);
      const bridge = createBridge(fake.ipcRenderer);
      return { api: createApiClient(createIpcTransport(bridge)), close: async () => binding.dispose() };
    },
  ],
  [
    'WebSocket on 127.0.0.1',
    async (svc) => {
      const server: WebServer = await startWebServer({ dispatch: createApiDispatcher(svc), events: svc.events, staticDir: path.join(dir, 'no-renderer') });
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
      const t = createWsTransport(ws as unknown as WebSocketLike);
      await t.ready;
      return {
        api: createApiClient(t),
        close: async () => {
          ws.close();
          await server.close();
        },
      };
    },
  ],
];

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe.each(transports)('Med3D API over %s', (name, connect) => {
  let svc: Med3dService;
  let h: Harness;
  beforeAll(async () => {
    svc = await makeService(name.split(' ')[0].toLowerCase());
    h = await connect(svc);
  });
  afterAll(async () => {
    await h.close();
    await svc.dispose();
  });

  it('getAppInfo', async () => {
    const info = await h.api.getAppInfo();
    expect(info).toMatchObject({ name: 'Med3D Workstation', version: '0.0.0-test', mode: 'web', nativeDialogs: false, demoAvailable: true });
    expect(info.workspace).toContain('ws-');
  });

  it('opens a NIfTI as a case and returns its exact voxels', async () => {
    const events: WorkspaceChangedEvent[] = [];
    const off = h.api.onWorkspaceChanged((e) => events.push(e));
    const hdr = await h.api.openVolume({ kind: 'path', path: path.join(dir, 'data', 'scan.nii.gz') });
    expect(hdr).toMatchObject({ dims: DIMS, dtype: 'int16', min: -1000, max: Math.max(...ct()) });
    expect(hdr.affine).toEqual(AFFINE);
    expect(hdr.spacing).toEqual([1, 1.5, 2]);
    expect(hdr.caseId).toMatch(/^case-/);
    const vox = await h.api.getVoxels({ volumeId: hdr.volumeId });
    expect(vox).toBeInstanceOf(ArrayBuffer);
    expect([...new Int16Array(vox)]).toEqual([...ct()]);
    // Slabs of k-slices for progressive loading, clipped at the end.
    const slab = await h.api.getVoxels({ volumeId: hdr.volumeId, kStart: 3, kCount: 5 });
    expect([...new Int16Array(slab)]).toEqual([...ct().subarray(3 * 48, 5 * 48)]);
    expect((await errorOf(h.api.getVoxels({ volumeId: hdr.volumeId, kStart: 5 }))).code).toBe('invalid-request');
    const cases = await h.api.listCases();
    expect(cases.map((c) => c.caseId)).toContain(hdr.caseId);
    await new Promise((r) => setTimeout(r, 20));
    off();
    expect(events.some((e) => e.reason === 'cases')).toBe(true);
    expect((await h.api.listRecent())[0]).toMatchObject({ path: path.join(dir, 'data', 'scan.nii.gz'), kind: 'nifti' });
  });

  it('refuses paths outside the allowed folders', async () => {
    const e = await errorOf(h.api.openVolume({ kind: 'path', path: '/etc/passwd' }));
    expect(e.code).toBe('forbidden-path');
    expect(e.message).toContain('/etc/passwd is outside the allowed folders');
    expect((await errorOf(h.api.openVolume({ kind: 'path', path: path.join(dir, 'data', '..', 'cfg-x', 'a.nii') }))).code).toBe('forbidden-path');
  });

  it('reports a corrupt file by name and keeps working', async () => {
    const file = path.join(dir, 'data', 'corrupt.nii.gz');
    const e = await errorOf(h.api.openVolume({ kind: 'path', path: file }));
    expect(e.code).toBe('bad-file');
    expect(e.file).toBe(file);
    expect(e.message).toContain('corrupt.nii.gz');
    expect((await h.api.getAppInfo()).mode).toBe('web');
  });

  it('rejects malformed payloads with the field name', async () => {
    const api = h.api as unknown as Record<string, (p: unknown) => Promise<unknown>>;
    const e = await errorOf(api.saveLabel({ caseId: 'case-0001', labels: 'not a buffer', status: 'corrected' }));
    expect(e.code).toBe('invalid-request');
    expect(e.message).toContain('labels: expected ArrayBuffer');
    expect((await errorOf(api.openCase({ caseId: 'x', extra: 1 }))).message).toContain('extra');
  });

  it('saves label versions, reloads them voxel for voxel, keeps recovery data', async () => {
    const hdr = await h.api.openVolume({ kind: 'path', path: path.join(dir, 'data', 'scan.nii.gz') });
    const caseId = hdr.caseId as string;
    const labels = new Uint8Array(N);
    for (let i = 0; i < N; i += 3) labels[i] = 1 + (i % 2);
    await h.api.saveRecovery({ caseId, labels: labels.buffer, baseVersion: null });
    const opened = await h.api.openCase({ caseId });
    expect(opened.recovery).not.toBeNull();
    const rec = await h.api.loadRecovery({ caseId });
    expect([...new Uint8Array(rec!.labels)]).toEqual([...labels]);
    const v = await h.api.saveLabel({ caseId, labels: labels.buffer, status: 'corrected', note: 'first' });
    const v2 = await h.api.saveLabel({ caseId, labels: new Uint8Array(N).buffer, status: 'verified', baseVersion: v.version });
    expect(v2.version).toBe(v.version + 1);
    const back = await h.api.loadLabel({ caseId, version: v.version });
    expect([...new Uint8Array(back!.labels)]).toEqual([...labels]);
    expect(back!.dims).toEqual(DIMS);
    expect((await h.api.listLabelVersions({ caseId })).map((x) => x.status)).toEqual(['corrected', 'verified']);
    expect(await h.api.loadRecovery({ caseId })).toBeNull();
    expect((await h.api.openCase({ caseId })).case.status).toBe('verified');
    const out = await h.api.exportLabel({ caseId, version: v.version, format: 'nifti' });
    expect(out.path).toMatch(/exports\/case-\d+-v0001\.nii\.gz$/);
    expect((await errorOf(h.api.exportLabel({ caseId, format: 'nifti', path: '/tmp/elsewhere.nii.gz' }))).code).toBe('forbidden-path');
    const seg = await h.api.exportLabel({ caseId, version: v.version, format: 'dicom-seg' });
    expect(seg.path).toMatch(/\.seg\.dcm$/);
  });

  it('runs jobs with progress updates and refuses unknown kinds', async () => {
    const updates: JobInfo[] = [];
    const off = h.api.onJobUpdate((j) => updates.push(j));
    expect(await h.api.listJobKinds()).toEqual(['copy', 'echo', 'finetune']);
    const { jobId } = await h.api.startJob({ kind: 'echo', params: { steps: 4 } });
    for (let i = 0; i < 200 && !updates.some((u) => u.id === jobId && u.state === 'done'); i++) await new Promise((r) => setTimeout(r, 10));
    off();
    const final = updates.filter((u) => u.id === jobId).at(-1);
    expect(final).toMatchObject({ state: 'done', progress: 1, result: { steps: 4, caseId: null } });
    expect(final?.curves?.loss?.length).toBe(4);
    expect((await h.api.getJob({ jobId })).state).toBe('done');
    expect((await errorOf(h.api.startJob({ kind: 'nope' }))).message).toContain('unknown job kind "nope"');
    expect((await errorOf(h.api.startJob({ kind: 'echo', params: {} }))).message).toContain('params.steps');
    expect((await errorOf(h.api.runTask({ task: 'lung', caseId: 'case-0001' }))).code).toBe('unsupported');
  });

  it('checks job path parameters against the allowed folders before anything runs', async () => {
    const ws = (await h.api.getAppInfo()).workspace as string;
    const outside = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-outside-')));
    try {
      const refused: Array<Record<string, string>> = [
        { in: outside, out: path.join(dir, 'rw', 'out') },
        { in: path.join(dir, 'data'), out: path.join(outside, 'masks') },
        { in: path.join(dir, 'data'), out: path.join(dir, 'rw', 'out'), model: path.join(outside, 'w.pth') },
        { in: path.join(dir, 'data'), out: ws },
        { in: path.join(dir, 'data'), out: path.join(ws, 'labels') },
        { in: 'data', out: 'out' },
      ];
      for (const params of refused) expect((await errorOf(h.api.startJob({ kind: 'copy', params }))).code).toBe('forbidden-path');
      // An absolute path hidden in a parameter the kind does not declare is refused too.
      expect((await errorOf(h.api.startJob({ kind: 'echo', params: { steps: 1, out: outside } }))).code).toBe('forbidden-path');
      expect(await readdir(outside)).toEqual([]);
      expect((await h.api.listJobs()).filter((j) => j.kind === 'copy')).toEqual([]);

      const out = path.join(dir, 'rw', `out-${Date.now()}`);
      const { jobId } = await h.api.startJob({ kind: 'copy', params: { in: path.join(dir, 'data', 'scan.nii.gz'), out, model: 'lung-v1' } });
      let job = await h.api.getJob({ jobId });
      for (let i = 0; i < 200 && job.state !== 'done' && job.state !== 'failed'; i++) job = await new Promise((r) => setTimeout(() => void h.api.getJob({ jobId }).then(r), 10));
      expect(job).toMatchObject({ state: 'done', result: { in: path.join(dir, 'data', 'scan.nii.gz'), out, model: 'lung-v1' } });
      const exp = path.join(ws, 'exports', `batch-${Date.now()}`);
      expect((await h.api.startJob({ kind: 'copy', params: { in: path.join(dir, 'data'), out: exp } })).jobId).toMatch(/^job-/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('exports only where the user chose or into exports/, never over existing or workspace files', async () => {
    const ws = (await h.api.getAppInfo()).workspace as string;
    const hdr = await h.api.openVolume({ kind: 'path', path: path.join(dir, 'data', 'scan.nii.gz') });
    const caseId = hdr.caseId as string;
    await h.api.saveLabel({ caseId, labels: new Uint8Array(N).fill(1, 0, 7).buffer, status: 'corrected' });
    const manifest = path.join(ws, 'med3d-workspace.json');
    const before = await readFile(manifest, 'utf8');
    for (const p of [manifest, path.join(ws, 'x.nii.gz'), path.join(ws, 'labels', 'x.nii.gz'), path.join(ws, 'exports')]) {
      expect((await errorOf(h.api.exportLabel({ caseId, format: 'nifti', path: p, overwrite: true }))).code).toBe('forbidden-path');
    }
    expect(await readFile(manifest, 'utf8')).toBe(before);
    expect((await errorOf(h.api.exportLabel({ caseId, format: 'nifti', path: 'relative.nii.gz' }))).message).toContain('is relative');
    // Default destination: a fresh name in exports/ each time.
    const a = await h.api.exportLabel({ caseId, format: 'nifti' });
    const b = await h.api.exportLabel({ caseId, format: 'nifti' });
    expect(path.dirname(a.path)).toBe(path.join(ws, 'exports'));
    expect(b.path).not.toBe(a.path);
    // A chosen path inside an allowed root: written once, replaced only when asked.
    const chosen = path.join(dir, 'rw', `mask-${caseId}-${Date.now()}.nii.gz`);
    await writeFile(chosen, 'keep me');
    expect((await errorOf(h.api.exportLabel({ caseId, format: 'nifti', path: chosen }))).message).toContain('already exists');
    expect(await readFile(chosen, 'utf8')).toBe('keep me');
    expect((await h.api.exportLabel({ caseId, format: 'nifti', path: chosen, overwrite: true })).path).toBe(chosen);
    expect((await readFile(chosen)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const inExports = path.join(ws, 'exports', 'chosen.nii.gz');
    expect((await h.api.exportLabel({ caseId, format: 'nifti', path: inExports })).path).toBe(inExports);
    await rm(chosen);
    // A workspace opened before stays protected after switching to another one.
    const other = path.join(dir, 'rw', `ws-other-${Date.now()}`);
    await h.api.openWorkspace({ path: other, create: true });
    expect((await errorOf(h.api.startJob({ kind: 'copy', params: { in: path.join(dir, 'data'), out: path.join(ws, 'models') } }))).code).toBe('forbidden-path');
    await h.api.openWorkspace({ path: ws });
  });

  it('opens the demo as a reloadable case, browses allowed folders only', async () => {
    const demo = await h.api.openVolume({ kind: 'demo' });
    expect(demo.dims).toEqual(DIMS);
    expect(demo.source).toMatch(/demo\/ct-phantom\.nii\.gz$/);
    const again = await h.api.openVolume({ kind: 'demo' });
    expect(again.caseId).toBe(demo.caseId);
    const roots = await h.api.listDirectory({});
    expect(roots.entries.map((e) => e.path)).toContain(path.join(dir, 'data'));
    const data = await h.api.listDirectory({ path: path.join(dir, 'data') });
    expect(data.entries.map((e) => [e.name, e.kind])).toEqual([
      ['corrupt.nii.gz', 'nifti'],
      ['scan.nii.gz', 'nifti'],
    ]);
    expect((await errorOf(h.api.listDirectory({ path: '/etc' }))).code).toBe('forbidden-path');
    expect((await errorOf(h.api.chooseFile({ purpose: 'nifti' }))).code).toBe('unsupported');
  });

  it('settings and model versions', async () => {
    expect((await h.api.updateSettings({ fineTune: 'automatic' })).fineTune).toBe('automatic');
    expect((await h.api.getSettings()).fineTune).toBe('automatic');
    // Automatic: saving a corrected lung label starts one lung fine-tuning job for that case.
    const hdr = await h.api.openVolume({ kind: 'path', path: path.join(dir, 'data', 'scan.nii.gz') });
    const lung = new Uint8Array(N);
    lung.fill(1, 0, 10);
    const before = (await h.api.listJobs()).filter((j) => j.kind === 'finetune').length;
    await h.api.saveLabel({ caseId: hdr.caseId as string, labels: lung.buffer, status: 'corrected' });
    await h.api.saveLabel({ caseId: hdr.caseId as string, labels: lung.buffer, status: 'verified' });
    await h.api.saveLabel({ caseId: hdr.caseId as string, labels: new Uint8Array(N).fill(3, 0, 5).buffer, status: 'verified' });
    const ft = (await h.api.listJobs()).filter((j) => j.kind === 'finetune');
    expect(ft.length - before).toBe(1);
    expect(ft.at(-1)).toMatchObject({ caseId: hdr.caseId });
    await h.api.cancelJob({ jobId: ft.at(-1)!.id });
    await h.api.updateSettings({ fineTune: 'manual' });
    expect(await h.api.listModels({})).toEqual([]);
    const bad = path.join(dir, 'data', 'scan.nii.gz');
    const e = await errorOf(h.api.importWeights({ path: bad, task: 'lung' }));
    expect(e.code).toBe('bad-file');
    expect(e.message).toContain('scan.nii.gz');
  });
});

describe.skipIf(!sharedAvailable('MedicalNet fixtures for importWeights'))('importWeights with a real MedicalNet .pth', () => {
  it('infers the backbone, copies the file into the workspace, activates it; rollback works', async () => {
    const registry = new JobRegistry();
    const svc = await Med3dService.create({ mode: 'web', version: 't', workspace: path.join(dir, 'ws-import'), roots: [FIXTURES_DIR], registry, discoverJobKinds: false });
    const api = createApiClient(createLocalTransport(createApiDispatcher(svc), svc.events));
    const a = await api.importWeights({ path: path.join(FIXTURES_DIR, 'd10_B_w8.pth'), task: 'lung', note: 'MedicalNet resnet_10 (tiny)' });
    expect(a).toMatchObject({ task: 'lung', backbone: 'resnet10', origin: 'import', active: true, parent: null });
    expect(a.file).toMatch(/^models\/lung\/lung-v1\.pth$/);
    const b = await api.importWeights({ path: path.join(FIXTURES_DIR, 'd50_B_w8.pth'), task: 'lung' });
    expect(b).toMatchObject({ backbone: 'resnet50', active: true });
    await api.activateModel({ task: 'lung', versionId: a.versionId });
    expect((await api.listModels({ task: 'lung' })).map((m) => [m.versionId, m.active])).toEqual([
      [a.versionId, true],
      [b.versionId, false],
    ]);
    expect((await api.getWorkspace())?.activeModels.lung).toBe(a.versionId);
    await svc.dispose();
  });
});
