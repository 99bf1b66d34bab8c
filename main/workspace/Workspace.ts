/**
 * A workspace folder: cases (scans referenced in place), label versions (NIfTI, never
 * overwritten), autosave recovery files, model versions and settings, indexed by a JSON manifest.
 *
 *   <root>/med3d-workspace.json
 *   <root>/cases/<caseId>/labels/v0001.nii.gz, v0002.nii.gz, ...
 *   <root>/cases/<caseId>/recovery.m3dr
 *   <root>/models/<task>/<versionId>.<ext>
 *   <root>/exports/
 *
 * Crash safety: every file goes through atomicWriteFile (temp + fsync + rename). A label file is
 * created without replacing (never overwritten) before the manifest that lists it; a crash in
 * between leaves an unlisted file, which the next open moves aside (sweepTornFiles) and whose
 * number is never reused. Mutations are serialised within the process (a promise chain) and across
 * processes (WorkspaceLock): each one re-reads the manifest under the lock, changes it, writes it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WorkspaceError } from './WorkspaceError';
import { rankByUncertainty } from '../../common/cases/rankByUncertainty';
import type {
  CaseStatus,
  CaseSummary,
  CaseUncertainty,
  LabelVersionInfo,
  ModelVersionInfo,
  TaskName,
  WorkspaceChangedEvent,
  WorkspaceInfo,
  WorkspaceSettings,
} from '../../common/api/types';
import { atomicWriteFile, atomicWriteJson } from '../util/atomicWrite';
import { decodeNifti } from '../volume/io/nifti/decodeNifti';
import { niftiToVolume } from '../volume/io/nifti/niftiToVolume';
import { VolumeReadError } from '../volume/io/errors';
import type { LabelMap, Vec3, Volume } from '../volume/Volume';
import { encodeNifti } from '../volume/io/nifti/encodeNifti';
import { gunzipAsync, gzipAsync } from './gzipAsync';
import {
  MANIFEST_NAME,
  caseIdFor,
  checkManifest,
  labelFileFor,
  newManifest,
  voxelCounts,
  type CaseGrid,
  type CaseRecord,
  type LabelVersionRecord,
  type ModelVersionRecord,
  type WorkspaceManifest,
} from './manifest';
import { decodeRecovery, encodeRecovery } from './recoveryFile';
import { WorkspaceLock, type WorkspaceLockOptions } from './WorkspaceLock';
import { sweepTornFiles } from './sweepTornFiles';
import { stripNiftiExtension } from '../../common/files/fileKind';

export interface OpenWorkspaceOptions {
  /** Create the folder and manifest when missing (default false: missing → error). */
  create?: boolean;
  /** Called after every change (the service forwards it as onWorkspaceChanged). */
  onChange?: (e: WorkspaceChangedEvent) => void;
  /** Where lock takeovers and swept files are reported (default: stderr). */
  log?: (msg: string) => void;
  /** Cross-process lock timing (wait timeout, staleness age). */
  lock?: Omit<WorkspaceLockOptions, 'log'>;
}

export interface SaveLabelOptions {
  status: CaseStatus;
  note?: string;
  /** 'user', 'model:<versionId>', 'import'. */
  author?: string;
  baseVersion?: number | null;
  /** A prediction's uncertainty, stored on the case with the version (labelVersion and time filled in here). */
  uncertainty?: Omit<CaseUncertainty, 'labelVersion' | 'computedAt'>;
}

export type NewModelVersion = Omit<ModelVersionRecord, 'versionId' | 'createdAt' | 'file'>;

/** Read one of our label files with decompression off the event loop (then the shared NIfTI decoder). */
async function readLabelFile(file: string): Promise<Volume> {
  try {
    const buf = await fs.readFile(file);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipAsync(bytes) : bytes;
    return niftiToVolume(decodeNifti(raw), { source: file });
  } catch (err) {
    throw VolumeReadError.wrap(file, err);
  }
}

export class Workspace {
  private manifest: WorkspaceManifest;
  private chain: Promise<unknown> = Promise.resolve();
  /** Identity of the manifest file we last read or wrote (inode, size, mtime). */
  private stamp: string | null = null;

  private constructor(
    readonly root: string,
    manifest: WorkspaceManifest,
    private readonly lock: WorkspaceLock,
    private readonly log: (msg: string) => void,
    private readonly onChange?: (e: WorkspaceChangedEvent) => void,
  ) {
    this.manifest = manifest;
  }

  static manifestPath(root: string): string {
    return path.join(root, MANIFEST_NAME);
  }

  /** The manifest text, or null when there is none. */
  private static async readManifestText(file: string): Promise<string | null> {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new WorkspaceError('bad-file', `cannot read workspace manifest ${file}: ${(err as Error).message}`, file);
    }
  }

  private static parseManifest(text: string, file: string): WorkspaceManifest {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new WorkspaceError('bad-file', `workspace manifest ${file} is not valid JSON (${(err as Error).message})`, file);
    }
    try {
      return checkManifest(parsed, file);
    } catch (err) {
      throw new WorkspaceError('bad-file', (err as Error).message, file);
    }
  }

  static async open(root: string, opts: OpenWorkspaceOptions = {}): Promise<Workspace> {
    const abs = path.resolve(root);
    const file = Workspace.manifestPath(abs);
    const log = opts.log ?? ((m: string) => void process.stderr.write(`${m}\n`));
    const lock = new WorkspaceLock(abs, { ...opts.lock, log });
    let text = await Workspace.readManifestText(file);
    if (text === null) {
      if (!opts.create) throw new WorkspaceError('not-found', `${abs} is not a Med3D workspace (no ${MANIFEST_NAME}); create it first`, abs);
      const st = await fs.stat(abs).catch(() => null);
      if (st && !st.isDirectory()) throw new WorkspaceError('bad-file', `cannot create a workspace at ${abs}: it is a file`, abs);
      await fs.mkdir(abs, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        throw new WorkspaceError('bad-file', `cannot create a workspace at ${abs}: ${err.code ?? err.message}`, abs);
      });
      // Under the lock: a second process creating the same workspace must not replace a manifest
      // the first one already wrote (and maybe added cases to).
      text = await lock.run(async () => {
        const existing = await Workspace.readManifestText(file);
        if (existing !== null) return existing;
        const m = newManifest(path.basename(abs));
        await atomicWriteJson(file, m);
        return JSON.stringify(m);
      });
    }
    const ws = new Workspace(abs, Workspace.parseManifest(text, file), lock, log, opts.onChange);
    ws.stamp = await Workspace.stampOf(file);
    await ws.sweep();
    return ws;
  }

  /**
   * Remove what a killed writer left (temp files, unlisted label files). Best effort: a read-only
   * workspace (no lock file can be made) still opens for reading.
   */
  private async sweep(): Promise<void> {
    try {
      await this.lock.run(async () => {
        await this.reload();
        await sweepTornFiles(this.root, this.manifest, this.log);
      });
    } catch (err) {
      this.log(`workspace ${this.root}: skipped the clean-up of interrupted writes (${(err as Error).message})`);
    }
  }

  // ---------- reading ----------

  /** A deep copy of the manifest (callers cannot mutate the workspace state). */
  snapshot(): WorkspaceManifest {
    return structuredClone(this.manifest);
  }

  info(): WorkspaceInfo {
    const active: Record<string, string | null> = { lung: null, liver: null, nodule: null };
    for (const [k, val] of Object.entries(this.manifest.activeModels)) active[k] = val ?? null;
    return { root: this.root, name: this.manifest.name, caseCount: this.manifest.cases.length, settings: structuredClone(this.manifest.settings), activeModels: active };
  }

  settings(): WorkspaceSettings {
    return structuredClone(this.manifest.settings);
  }

  abs(rel: string): string {
    return path.isAbsolute(rel) ? rel : path.join(this.root, ...rel.split('/'));
  }

  private caseRecord(caseId: string): CaseRecord {
    const c = this.manifest.cases.find((x) => x.caseId === caseId);
    if (!c) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${this.root}`);
    return c;
  }

  /** Absolute path of a case's scan. */
  caseSource(caseId: string): string {
    return this.abs(this.caseRecord(caseId).source);
  }

  /** The series a case is within its DICOM folder (undefined: the folder's largest). */
  caseSeries(caseId: string): string | undefined {
    return this.caseRecord(caseId).series;
  }

  caseGrid(caseId: string): CaseGrid | null {
    const g = this.caseRecord(caseId).grid;
    return g ? structuredClone(g) : null;
  }

  private recoveryFile(caseId: string): string {
    return path.join(this.root, 'cases', caseId, 'recovery.m3dr');
  }

  private async summary(c: CaseRecord): Promise<CaseSummary> {
    const latest = c.labels.length ? c.labels[c.labels.length - 1].version : null;
    const hasRecovery = await fs.stat(this.recoveryFile(c.caseId)).then(
      () => true,
      () => false,
    );
    const u = c.uncertainty ? structuredClone(c.uncertainty) : null;
    return { caseId: c.caseId, name: c.name, source: this.abs(c.source), status: c.status, labelVersions: c.labels.length, latestVersion: latest, hasRecovery, addedAt: c.addedAt, updatedAt: c.updatedAt, uncertainty: u?.value ?? null, uncertaintyInfo: u };
  }

  async getCase(caseId: string): Promise<CaseSummary> {
    return this.summary(this.caseRecord(caseId));
  }

  async listCases(): Promise<CaseSummary[]> {
    await this.refresh();
    return Promise.all(this.manifest.cases.map((c) => this.summary(c)));
  }

  /**
   * Case after/before `caseId` in list order, optionally only with a given status (wraps around).
   * order 'uncertainty' ("Next to correct"): among the cases still to correct other than `caseId`
   * (rankByUncertainty), 'next' is the most uncertain, 'previous' the least; the open case is left
   * out so the button always moves, and comes back while it stays the most uncertain uncorrected one.
   */
  async adjacentCase(caseId: string | undefined, direction: 'next' | 'previous', status?: CaseStatus, order: 'list' | 'uncertainty' = 'list'): Promise<CaseSummary | null> {
    await this.refresh();
    if (caseId !== undefined) this.caseRecord(caseId);
    if (order === 'uncertainty') {
      const others = this.manifest.cases.filter((c) => c.caseId !== caseId).map((c) => ({ ...c, uncertainty: c.uncertainty?.value ?? null }));
      const ranked = rankByUncertainty(others, { status });
      const pick = direction === 'next' ? ranked[0] : ranked.at(-1);
      return pick ? this.summary(this.caseRecord(pick.caseId)) : null;
    }
    const cases = this.manifest.cases;
    if (caseId === undefined) {
      const first = direction === 'next' ? cases.find((c) => !status || c.status === status) : cases.findLast((c) => !status || c.status === status);
      return first ? this.summary(first) : null;
    }
    const i = cases.findIndex((c) => c.caseId === caseId);
    const step = direction === 'next' ? 1 : -1;
    for (let k = 1; k < cases.length; k++) {
      const c = cases[(i + step * k + cases.length * k) % cases.length];
      if (!status || c.status === status) return this.summary(c);
    }
    return null;
  }

  private labelInfo(caseId: string, r: LabelVersionRecord): LabelVersionInfo {
    return { caseId, version: r.version, status: r.status, note: r.note, author: r.author, createdAt: r.createdAt, voxelCounts: { ...r.voxelCounts }, file: r.file };
  }

  listLabelVersions(caseId: string): LabelVersionInfo[] {
    const c = this.caseRecord(caseId);
    return c.labels.map((r) => this.labelInfo(caseId, r));
  }

  /** Reads a label version (latest when omitted); null when the case has none. */
  async loadLabel(caseId: string, version?: number): Promise<{ info: LabelVersionInfo; labels: Uint8Array; dims: Vec3 } | null> {
    const c = this.caseRecord(caseId);
    if (!c.labels.length) {
      if (version !== undefined) throw new WorkspaceError('not-found', `case ${caseId} has no label version ${version}`);
      return null;
    }
    const r = version === undefined ? c.labels[c.labels.length - 1] : c.labels.find((x) => x.version === version);
    if (!r) throw new WorkspaceError('not-found', `case ${caseId} has no label version ${version}`);
    const file = this.abs(r.file);
    const vol = await readLabelFile(file).catch((err: unknown) => {
      throw new WorkspaceError('bad-file', err instanceof Error ? err.message : String(err), file);
    });
    if (c.grid && vol.dims.some((d, k) => d !== c.grid?.dims[k])) {
      throw new WorkspaceError('bad-file', `label ${file} has grid ${vol.dims.join('x')}, the case scan ${c.grid.dims.join('x')}`, file);
    }
    const labels = vol.data instanceof Uint8Array ? vol.data : Uint8Array.from(vol.data as ArrayLike<number>);
    return { info: this.labelInfo(caseId, r), labels, dims: [...vol.dims] as Vec3 };
  }

  async loadRecovery(caseId: string): Promise<{ labels: Uint8Array; dims: Vec3; baseVersion: number | null; savedAt: string } | null> {
    this.caseRecord(caseId);
    const file = this.recoveryFile(caseId);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file);
    } catch {
      return null;
    }
    try {
      const { header, labels } = decodeRecovery(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
      return { labels, dims: header.dims, baseVersion: header.baseVersion, savedAt: header.savedAt };
    } catch (err) {
      throw new WorkspaceError('bad-file', (err as Error).message, file);
    }
  }

  /** A LabelMap on a case grid, named with the workspace's label names/colours. */
  labelMap(labels: Uint8Array, grid: CaseGrid): LabelMap {
    return {
      data: labels,
      dims: [...grid.dims] as Vec3,
      spacing: [...grid.spacing] as Vec3,
      affine: Float64Array.from(grid.affine),
      meta: { warnings: [] },
      labels: this.manifest.settings.labels.map((l) => ({ value: l.value, name: l.name, color: [...l.color] as [number, number, number] })),
    };
  }

  // ---------- mutations (serialised) ----------

  private static async stampOf(file: string): Promise<string | null> {
    const st = await fs.stat(file).catch(() => null);
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : null;
  }

  /**
   * Pick up changes another process made (the desktop app and `med3d serve` or a batch run on the
   * same workspace): every mutation starts from the manifest on disk, not a stale copy. Returns
   * true when it changed. A manifest that fails to parse is ignored (ours stays in use).
   */
  async refresh(): Promise<boolean> {
    const file = Workspace.manifestPath(this.root);
    const stamp = await Workspace.stampOf(file);
    if (stamp === null || stamp === this.stamp) return false;
    try {
      this.manifest = checkManifest(JSON.parse(await fs.readFile(file, 'utf8')), file);
      this.stamp = stamp;
      return true;
    } catch {
      return false;
    }
  }

  /** Read the manifest from disk unconditionally (under the lock: the stamp could be fooled by inode reuse). */
  private async reload(): Promise<void> {
    const file = Workspace.manifestPath(this.root);
    const text = await Workspace.readManifestText(file);
    if (text === null) throw new WorkspaceError('not-found', `workspace manifest ${file} has disappeared`, file);
    this.manifest = Workspace.parseManifest(text, file);
    this.stamp = await Workspace.stampOf(file);
  }

  /** Run a mutation in turn: after earlier ones in this process, holding the cross-process lock, on the manifest as it is on disk. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const step = (): Promise<T> =>
      this.lock.run(async () => {
        await this.reload();
        return fn();
      });
    const run = this.chain.then(step, step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeManifest(next: WorkspaceManifest): Promise<void> {
    const file = Workspace.manifestPath(this.root);
    await atomicWriteJson(file, next);
    this.manifest = next;
    this.stamp = await Workspace.stampOf(file);
  }

  /**
   * A manifest change made by a module that extends the manifest (noduleMarks.ts): `edit` changes
   * a copy of the manifest as it is on disk, under the lock; the copy is written atomically and
   * `reason` announced. What `edit` returns is returned; when it throws nothing is written.
   */
  async editManifest<T>(reason: WorkspaceChangedEvent['reason'], edit: (next: WorkspaceManifest) => T, caseId?: string): Promise<T> {
    return this.locked(async () => {
      const next = structuredClone(this.manifest);
      const out = edit(next);
      await this.writeManifest(next);
      this.changed(reason, caseId);
      return out;
    });
  }

  private changed(reason: WorkspaceChangedEvent['reason'], caseId?: string): void {
    this.onChange?.(caseId === undefined ? { reason, root: this.root } : { reason, caseId, root: this.root });
  }

  /** Store a path relative to the root when inside it (portable workspace), else absolute. */
  private storedPath(p: string): string {
    const abs = path.resolve(p);
    const rel = path.relative(this.root, abs);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
  }

  async addCase(source: string, opts: { name?: string; grid?: CaseGrid; series?: string } = {}): Promise<CaseSummary> {
    return this.locked(async () => {
      const abs = path.resolve(source);
      // Each series of a multi-series folder is its own case (its own grid and labels).
      const existing = this.manifest.cases.find((c) => this.abs(c.source) === abs && c.series === opts.series);
      if (existing) return this.summary(existing);
      const next = structuredClone(this.manifest);
      const now = new Date().toISOString();
      const rec: CaseRecord = {
        caseId: caseIdFor(next.nextCase),
        name: opts.name ?? stripNiftiExtension(path.basename(abs)),
        source: this.storedPath(abs),
        ...(opts.series !== undefined ? { series: opts.series } : {}),
        status: 'new',
        addedAt: now,
        updatedAt: now,
        grid: opts.grid ?? null,
        labels: [],
      };
      next.nextCase++;
      next.cases.push(rec);
      await this.writeManifest(next);
      this.changed('cases', rec.caseId);
      return this.summary(rec);
    });
  }

  async setCaseGrid(caseId: string, grid: CaseGrid): Promise<void> {
    return this.locked(async () => {
      const next = structuredClone(this.manifest);
      const c = next.cases.find((x) => x.caseId === caseId);
      if (!c) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${this.root}`);
      c.grid = structuredClone(grid);
      await this.writeManifest(next);
    });
  }

  async setCaseStatus(caseId: string, status: CaseStatus): Promise<CaseSummary> {
    return this.locked(async () => {
      const next = structuredClone(this.manifest);
      const c = next.cases.find((x) => x.caseId === caseId);
      if (!c) throw new WorkspaceError('not-found', `no case ${caseId} in workspace ${this.root}`);
      c.status = status;
      c.updatedAt = new Date().toISOString();
      await this.writeManifest(next);
      this.changed('cases', caseId);
      return this.summary(c);
    });
  }

  /** Highest version number used by the manifest or by a file on disk (orphans of a crash). */
  private async highestVersion(c: CaseRecord): Promise<number> {
    let max = c.labels.reduce((m, r) => Math.max(m, r.version), 0);
    const dir = path.join(this.root, 'cases', c.caseId, 'labels');
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const n of names) {
      const m = /^v(\d+)\.nii\.gz$/.exec(n);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }

  /** Write a new label version (never overwrites), set the case status, drop the recovery file. */
  async saveLabel(caseId: string, labels: Uint8Array, opts: SaveLabelOptions): Promise<LabelVersionInfo> {
    return this.locked(async () => {
      const c0 = this.caseRecord(caseId);
      const grid = c0.grid;
      if (!grid) throw new WorkspaceError('invalid-request', `case ${caseId}: the scan grid is unknown; open the case before saving a label`);
      const n = grid.dims[0] * grid.dims[1] * grid.dims[2];
      if (labels.length !== n) throw new WorkspaceError('invalid-request', `label map for case ${caseId} has ${labels.length} voxels, its scan ${grid.dims.join('x')} has ${n}`);
      // Same bytes as writeNifti, but compressed on the libuv pool: saving a 512x512x300 mask must not
      // stall the Electron main loop. atomicWriteFile: a crash leaves no torn label file.
      const bytes = await gzipAsync(encodeNifti(this.labelMap(labels, grid)), 1);
      let version = (await this.highestVersion(c0)) + 1;
      // Created without replacing: a file we did not list (a writer outside the lock) keeps its number.
      for (;; version++) {
        const written = await atomicWriteFile(this.abs(labelFileFor(caseId, version)), bytes, { noReplace: true }).then(
          () => true,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'EEXIST') return false;
            throw err;
          },
        );
        if (written) break;
      }
      const rel = labelFileFor(caseId, version);
      const next = structuredClone(this.manifest);
      const c = next.cases.find((x) => x.caseId === caseId) as CaseRecord;
      const now = new Date().toISOString();
      const rec: LabelVersionRecord = {
        version,
        status: opts.status,
        note: opts.note ?? '',
        author: opts.author ?? 'user',
        createdAt: now,
        voxelCounts: voxelCounts(labels),
        file: rel,
        baseVersion: opts.baseVersion ?? null,
      };
      c.labels.push(rec);
      c.status = opts.status;
      c.updatedAt = now;
      if (opts.uncertainty) c.uncertainty = { ...opts.uncertainty, labelVersion: version, computedAt: now };
      await this.writeManifest(next);
      await fs.rm(this.recoveryFile(caseId), { force: true });
      this.changed('labels', caseId);
      return this.labelInfo(caseId, rec);
    });
  }

  async saveRecovery(caseId: string, labels: Uint8Array, dims: Vec3, baseVersion: number | null): Promise<void> {
    return this.locked(async () => {
      const c = this.caseRecord(caseId);
      if (c.grid && labels.length !== c.grid.dims[0] * c.grid.dims[1] * c.grid.dims[2]) {
        throw new WorkspaceError('invalid-request', `recovery labels for case ${caseId} have ${labels.length} voxels, its scan ${c.grid.dims.join('x')}`);
      }
      const header = { caseId, dims, baseVersion, savedAt: new Date().toISOString() };
      await atomicWriteFile(this.recoveryFile(caseId), await encodeRecovery(header, labels));
      this.changed('recovery', caseId);
    });
  }

  async discardRecovery(caseId: string): Promise<void> {
    return this.locked(async () => {
      this.caseRecord(caseId);
      await fs.rm(this.recoveryFile(caseId), { force: true });
      this.changed('recovery', caseId);
    });
  }

  async updateSettings(patch: Partial<WorkspaceSettings>): Promise<WorkspaceSettings> {
    return this.locked(async () => {
      const next = structuredClone(this.manifest);
      for (const [k, val] of Object.entries(patch)) if (val !== undefined) (next.settings as unknown as Record<string, unknown>)[k] = structuredClone(val);
      await this.writeManifest(next);
      this.changed('settings');
      return structuredClone(next.settings);
    });
  }

  // ---------- models ----------

  private modelInfo(r: ModelVersionRecord): ModelVersionInfo {
    return {
      versionId: r.versionId,
      task: r.task,
      backbone: r.backbone,
      parent: r.parent,
      origin: r.origin,
      trainingCases: [...r.trainingCases],
      metrics: { ...r.metrics },
      createdAt: r.createdAt,
      file: r.file,
      active: this.manifest.activeModels[r.task] === r.versionId,
      note: r.note,
      ...(r.comparison ? { comparison: structuredClone(r.comparison) } : {}),
      ...(r.backend !== undefined ? { backend: r.backend } : {}),
      ...(r.seconds !== undefined ? { seconds: r.seconds } : {}),
    };
  }

  listModels(task?: TaskName): ModelVersionInfo[] {
    return this.manifest.models.filter((m) => !task || m.task === task).map((m) => this.modelInfo(m));
  }

  getModel(versionId: string): ModelVersionInfo & { path: string; extra?: Record<string, unknown> } {
    const r = this.manifest.models.find((m) => m.versionId === versionId);
    if (!r) throw new WorkspaceError('not-found', `no model version ${versionId} in workspace ${this.root}`);
    return { ...this.modelInfo(r), path: this.abs(r.file), ...(r.extra ? { extra: structuredClone(r.extra) } : {}) };
  }

  activeModel(task: TaskName): (ModelVersionInfo & { path: string }) | null {
    const id = this.manifest.activeModels[task];
    return id ? this.getModel(id) : null;
  }

  /**
   * Reserve a version id and checkpoint path for a model about to be written (e.g. by a
   * fine-tuning job with saveCheckpoint). Register it afterwards with addModelVersion.
   */
  async reserveModelVersion(task: TaskName, ext: string): Promise<{ versionId: string; file: string; path: string }> {
    return this.locked(async () => {
      const dir = path.join(this.root, 'models', task);
      await fs.mkdir(dir, { recursive: true });
      const taken = new Set([...this.manifest.models.map((m) => m.versionId), ...(this.manifest.retiredModels ?? []), ...(await fs.readdir(dir)).map((f) => f.replace(/\..*$/, ''))]);
      let n = this.manifest.models.filter((m) => m.task === task).length + 1;
      while (taken.has(`${task}-v${n}`)) n++;
      const versionId = `${task}-v${n}`;
      const file = `models/${task}/${versionId}.${ext.replace(/^\./, '')}`;
      // Placeholder so a concurrent reservation cannot pick the same id; replaced atomically by the writer.
      await fs.writeFile(this.abs(file), new Uint8Array(0), { flag: 'wx' });
      return { versionId, file, path: this.abs(file) };
    });
  }

  /** Register a model version whose checkpoint already sits at `file` (from reserveModelVersion). */
  async addModelVersion(versionId: string, file: string, rec: NewModelVersion, opts: { activate?: boolean } = {}): Promise<ModelVersionInfo> {
    return this.locked(async () => {
      if (this.manifest.models.some((m) => m.versionId === versionId)) throw new WorkspaceError('invalid-request', `model version ${versionId} already exists`);
      const st = await fs.stat(this.abs(file)).catch(() => null);
      if (!st || st.size === 0) throw new WorkspaceError('bad-file', `model checkpoint ${this.abs(file)} is missing or empty`, this.abs(file));
      const next = structuredClone(this.manifest);
      const full: ModelVersionRecord = { ...structuredClone(rec), versionId, file, createdAt: new Date().toISOString() };
      next.models.push(full);
      if (opts.activate ?? true) next.activeModels[rec.task] = versionId;
      await this.writeManifest(next);
      this.changed('models');
      return this.modelInfo(full);
    });
  }

  /** Copy a weights file into the workspace as a new version. */
  async importModelFile(source: string, rec: NewModelVersion, opts: { activate?: boolean; ext?: string } = {}): Promise<ModelVersionInfo> {
    const ext = opts.ext ?? (/\.(pth|pt|tar)$/i.test(source) ? source.replace(/^.*\./, '').toLowerCase() : 'm3d');
    const { versionId, file } = await this.reserveModelVersion(rec.task, ext);
    try {
      await atomicWriteFile(this.abs(file), await fs.readFile(source));
      return await this.addModelVersion(versionId, file, rec, opts);
    } catch (err) {
      await fs.rm(this.abs(file), { force: true });
      throw err;
    }
  }

  async activateModel(task: TaskName, versionId: string): Promise<ModelVersionInfo> {
    return this.locked(async () => {
      const r = this.manifest.models.find((m) => m.versionId === versionId);
      if (!r) throw new WorkspaceError('not-found', `no model version ${versionId} in workspace ${this.root}`);
      if (r.task !== task) throw new WorkspaceError('invalid-request', `model version ${versionId} is for task ${r.task}, not ${task}`);
      const next = structuredClone(this.manifest);
      next.activeModels[task] = versionId;
      await this.writeManifest(next);
      this.changed('models');
      return this.modelInfo(r);
    });
  }

  /**
   * Delete a model version: its manifest entry, then its checkpoint, under the lock. The active
   * version is refused (activate another first), so no task ever points at a missing file. The
   * manifest goes first: a crash in between leaves an unlisted file (swept at the next open, its
   * id retired), never an entry without its file. Retired ids are never handed out again, so
   * labels authored by 'model:<id>' keep naming one model.
   */
  async deleteModel(versionId: string): Promise<ModelVersionInfo> {
    return this.locked(async () => {
      const r = this.manifest.models.find((m) => m.versionId === versionId);
      if (!r) throw new WorkspaceError('not-found', `no model version ${versionId} in workspace ${this.root}`);
      if (this.manifest.activeModels[r.task] === versionId) {
        throw new WorkspaceError('invalid-request', `model version ${versionId} is the active ${r.task} model: activate another version first, then delete it`);
      }
      const info = this.modelInfo(r);
      const next = structuredClone(this.manifest);
      next.models = next.models.filter((m) => m.versionId !== versionId);
      next.retiredModels = [...(next.retiredModels ?? []), versionId];
      await this.writeManifest(next);
      await fs.rm(this.abs(r.file), { force: true });
      this.changed('models');
      return info;
    });
  }
}
