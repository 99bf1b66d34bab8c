/**
 * In-page Med3dApi for developing the UI without the Node side (build with MED3D_DEV_MOCK=1 and
 * open the page with ?mock). Never part of production builds: main.ts only imports it behind the
 * compile-time flag __MED3D_DEV_MOCK__.
 */
import { ApiError, ApiEventHub, createApiClient, createApiDispatcher, createLocalTransport } from '../../common/api';
import type { CaseSummary, JobInfo, LabelVersionInfo, Med3dApi, Med3dApiMethods, NoduleMark, VolumeHeader } from '../../common/api';

const LABELS = [
  { value: 1, name: 'lung', color: [80, 160, 255] as [number, number, number] },
  { value: 2, name: 'liver', color: [200, 120, 60] as [number, number, number] },
  { value: 3, name: 'nodule', color: [255, 220, 0] as [number, number, number] },
];

function phantom(nx: number, ny: number, nz: number): Int16Array {
  const d = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = (i - nx / 2) / (nx / 2);
        const y = (j - ny / 2) / (ny / 2);
        let v = -1000;
        if (x * x / 0.8 + y * y / 0.5 < 1) v = 40;
        if (((x - 0.35) ** 2) / 0.06 + (y ** 2) / 0.12 < 1 || ((x + 0.35) ** 2) / 0.06 + (y ** 2) / 0.12 < 1) v = -850;
        if (x * x + (y - 0.45) ** 2 < 0.01) v = 700;
        d[i + nx * (j + ny * k)] = v + (((i * 7 + j * 13 + k * 31) % 17) - 8);
      }
  return d;
}

export function createMockApi(): Med3dApi {
  const hub = new ApiEventHub();
  const dims: [number, number, number] = [128, 128, 48];
  const voxels = phantom(...dims);
  const now = (): string => new Date().toISOString();
  const header = (caseId?: string): VolumeHeader => ({
    volumeId: 'vol1', dims, spacing: [1.5, 1.5, 3], affine: [-1.5, 0, 0, 96, 0, -1.5, 0, 96, 0, 0, 3, -72, 0, 0, 0, 1],
    dtype: 'int16', min: -1008, max: 708, modality: 'CT', source: 'demo:phantom', warnings: [], caseId, labels: LABELS,
  });
  const cases: CaseSummary[] = ['phantom-a', 'phantom-b', 'phantom-c'].map((name, n) => ({
    caseId: `case${n + 1}`, name, source: `/mock/${name}.nii.gz`, status: 'new', labelVersions: 0, latestVersion: null, hasRecovery: false, addedAt: now(), updatedAt: now(), uncertainty: null, uncertaintyInfo: null,
  }));
  const labels = new Map<string, Array<{ info: LabelVersionInfo; data: ArrayBuffer }>>();
  const jobs = new Map<string, JobInfo>();
  let marks: NoduleMark[] = [];
  let jobN = 0;
  const runJob = (title: string, kind: string, caseId: string | undefined, done: () => JobInfo['result']): { jobId: string } => {
    const id = `job${++jobN}`;
    const job: JobInfo = { id, kind, state: 'running', progress: 0, etaSeconds: null, message: 'starting', title, createdAt: now(), startedAt: now(), finishedAt: null, caseId, curves: { loss: [], valDice: [] } };
    jobs.set(id, job);
    let step = 0;
    const timer = setInterval(() => {
      if (job.state !== 'running') return clearInterval(timer);
      step++;
      job.progress = step / 20;
      job.etaSeconds = (20 - step) * 0.2;
      job.message = `step ${step}/20`;
      job.curves!.loss.push([step, 1 / (1 + step * 0.3)]);
      if (step % 4 === 0) job.curves!.valDice.push([step, 0.5 + 0.4 * (1 - Math.exp(-step / 8))]);
      if (step >= 20) {
        job.state = 'done';
        job.finishedAt = now();
        job.result = done() ?? null;
        clearInterval(timer);
      }
      hub.emit('jobUpdate', structuredClone(job));
    }, 200);
    hub.emit('jobUpdate', structuredClone(job));
    return { jobId: id };
  };
  const findCase = (caseId: string): CaseSummary => {
    const c = cases.find((x) => x.caseId === caseId);
    if (!c) throw new ApiError('not-found', `unknown case ${caseId}`);
    return c;
  };
  const saveLabel = (caseId: string, data: ArrayBuffer, status: CaseSummary['status'], author: string): LabelVersionInfo => {
    const c = findCase(caseId);
    const list = labels.get(caseId) ?? [];
    const counts: Record<string, number> = {};
    for (const v of new Uint8Array(data)) if (v) counts[v] = (counts[v] ?? 0) + 1;
    const info: LabelVersionInfo = { caseId, version: list.length + 1, status, note: '', author, createdAt: now(), voxelCounts: counts, file: `labels/${caseId}/v${list.length + 1}.nii.gz` };
    list.push({ info, data: data.slice(0) });
    labels.set(caseId, list);
    Object.assign(c, { status, labelVersions: list.length, latestVersion: info.version, updatedAt: now() });
    hub.emit('workspaceChanged', { reason: 'labels', caseId, root: '/mock/workspace' });
    return info;
  };

  const impl: Med3dApiMethods = {
    getAppInfo: async () => ({ name: 'Med3D Workstation', version: 'dev', mode: 'web', backend: { name: 'mock', description: 'in-page mock API (development)', tried: [] }, platform: 'browser', nativeDialogs: false, workspace: '/mock/workspace', demoAvailable: true, initialOpen: { kind: 'case', caseId: 'case1' } }),
    openVolume: async (req) => {
      if (req.kind === 'path' && req.path.includes('corrupt')) throw new ApiError('bad-file', `${req.path}: not a NIfTI file (bad header size 0)`, req.path);
      for (let p = 0; p <= 4; p++) hub.emit('volumeProgress', { source: 'demo:phantom', progress: p / 4, message: 'reading' });
      return header();
    },
    getVoxels: async (req) => {
      const slice = dims[0] * dims[1];
      const k0 = req.kStart ?? 0;
      return voxels.slice(k0 * slice, Math.min(dims[2], k0 + (req.kCount ?? dims[2])) * slice).buffer as ArrayBuffer;
    },
    closeVolume: async () => {},
    openWorkspace: async (req) => ({ root: req.path, name: 'mock', caseCount: cases.length, settings: await impl.getSettings(), activeModels: { lung: null, liver: null, nodule: null } }),
    getWorkspace: async () => ({ root: '/mock/workspace', name: 'mock', caseCount: cases.length, settings: await impl.getSettings(), activeModels: { lung: null, liver: null, nodule: null } }),
    listCases: async () => structuredClone(cases),
    addCase: async (req) => {
      if (req.path.includes('corrupt')) throw new ApiError('bad-file', `${req.path}: not a NIfTI file`, req.path);
      const c: CaseSummary = { caseId: `case${cases.length + 1}`, name: req.name ?? req.path.split('/').pop()!, source: req.path, status: 'new', labelVersions: 0, latestVersion: null, hasRecovery: false, addedAt: now(), updatedAt: now(), uncertainty: null, uncertaintyInfo: null };
      cases.push(c);
      return c;
    },
    openCase: async (req) => {
      const c = findCase(req.caseId);
      const list = labels.get(c.caseId) ?? [];
      return { case: c, volume: header(c.caseId), latestLabel: list.at(-1)?.info ?? null, recovery: null };
    },
    adjacentCase: async (req) => {
      const n = cases.findIndex((c) => c.caseId === req.caseId);
      const step = req.direction === 'next' ? 1 : -1;
      for (let m = n + step; m >= 0 && m < cases.length; m += step) if (!req.status || cases[m].status === req.status) return cases[m];
      return null;
    },
    setCaseStatus: async (req) => Object.assign(findCase(req.caseId), { status: req.status }),
    listLabelVersions: async (req) => (labels.get(req.caseId) ?? []).map((x) => x.info),
    saveLabel: async (req) => saveLabel(req.caseId, req.labels, req.status, 'user'),
    loadLabel: async (req) => {
      const list = labels.get(req.caseId) ?? [];
      const e = req.version ? list.find((x) => x.info.version === req.version) : list.at(-1);
      return e ? { version: e.info, labels: e.data.slice(0), dims } : null;
    },
    saveRecovery: async () => {},
    loadRecovery: async () => null,
    discardRecovery: async () => {},
    exportLabel: async (req) => ({ path: `/mock/workspace/exports/${req.caseId}.nii.gz` }),
    readExport: async () => { throw new ApiError('unsupported', 'mock: no export files'); },
    importLabel: async () => { throw new ApiError('unsupported', 'mock: no label import'); },
    importDataset: async () => { throw new ApiError('unsupported', 'mock: no dataset import'); },
    getSettings: async () => ({ fineTune: 'manual', labels: LABELS, validationFraction: 0.2, autosaveSeconds: 30, promotion: 'automatic' }),
    updateSettings: async () => impl.getSettings(),
    startJob: async (req) => runJob(req.title ?? req.kind, req.kind, req.caseId, () => null),
    cancelJob: async (req) => {
      const j = jobs.get(req.jobId);
      if (j && j.state === 'running') {
        j.state = 'cancelled';
        j.finishedAt = now();
        hub.emit('jobUpdate', structuredClone(j));
      }
    },
    getJob: async (req) => structuredClone(jobs.get(req.jobId)!),
    listJobs: async () => [...jobs.values()].map((j) => structuredClone(j)),
    resumeJob: async (req) => {
      throw new ApiError('not-found', `mock: no interrupted job ${req.jobId}`);
    },
    listJobKinds: async () => ['predict', 'finetune'],
    listModels: async () => [],
    importWeights: async () => { throw new ApiError('unsupported', 'mock: no weights'); },
    activateModel: async () => { throw new ApiError('unsupported', 'mock: no models'); },
    deleteModel: async () => { throw new ApiError('unsupported', 'mock: no models'); },
    exportModel: async () => { throw new ApiError('unsupported', 'mock: no models'); },
    runTask: async (req) =>
      runJob(`Lung segmentation — ${req.caseId}`, 'predict', req.caseId, () => {
        const m = new Uint8Array(voxels.length);
        for (let n = 0; n < m.length; n++) m[n] = voxels[n] < -500 && voxels[n] > -950 ? 1 : 0;
        const info = saveLabel(req.caseId, m.buffer, 'predicted', 'model:cold-start');
        return { caseId: req.caseId, version: info.version };
      }),
    fineTune: async (req) => runJob(`Fine-tune ${req.task}`, 'finetune', undefined, () => ({ versionId: 'lung-v2' })),
    classifyNodule: async () => { throw new ApiError('unsupported', 'mock: no nodule model'); },
    findNoduleCandidate: async () => null,
    addNoduleMark: async (req) => {
      const now = new Date().toISOString();
      const malignancy = (req.malignancy ?? null) as NoduleMark['malignancy'];
      const m: NoduleMark = { markId: `nodule-${marks.length + 1}`, caseId: req.caseId, centerWorld: req.center.coords, centerVoxel: req.center.coords, radiusMm: req.radiusMm ?? 5, shape: req.radiusMm ? 'sphere' : 'candidate', label: req.label ?? (malignancy !== null && malignancy >= 4 ? 'malignant' : 'benign'), malignancy, createdAt: now, updatedAt: now };
      marks.push(m);
      return structuredClone(m);
    },
    updateNoduleMark: async (req) => {
      const m = marks.find((x) => x.caseId === req.caseId && x.markId === req.markId);
      if (!m) throw new ApiError('not-found', `mock: no mark ${req.markId}`);
      if (req.malignancy !== undefined) Object.assign(m, { malignancy: req.malignancy, label: req.malignancy >= 4 ? 'malignant' : 'benign' });
      else if (req.label) Object.assign(m, { label: req.label, malignancy: null });
      if (req.radiusMm !== undefined) m.radiusMm = req.radiusMm;
      return structuredClone(m);
    },
    listNoduleMarks: async (req) => marks.filter((m) => !req.caseId || m.caseId === req.caseId).map((m) => structuredClone(m)),
    removeNoduleMark: async (req) => void (marks = marks.filter((m) => !(m.caseId === req.caseId && m.markId === req.markId))),
    listRecent: async () => [],
    listDirectory: async (req) => ({
      path: req.path ?? null, parent: req.path ? null : null, roots: ['/mock'],
      entries: [
        { name: 'phantom.nii.gz', path: '/mock/phantom.nii.gz', isDirectory: false, size: 1000, kind: 'nifti' },
        { name: 'corrupt.nii', path: '/mock/corrupt.nii', isDirectory: false, size: 10, kind: 'nifti' },
      ],
    }),
    listSeries: async (req) => ({ path: req.path, series: [], skippedFiles: 0 }),
    chooseFile: async () => { throw new ApiError('unsupported', 'no native dialogs in web mode'); },
  };
  return createApiClient(createLocalTransport(createApiDispatcher(impl), hub));
}
