import type { AppInfo, CaseStatus, CaseSummary, LabelDef, LabelVersionInfo, Med3dApi, SeriesInfo, SeriesListing, VolumeHeader } from '../../common/api';
import { looksLikeCt } from '../../common/volume/looksLikeCt';
import { defaultWindow } from '../viewer/windowPresets';
import { streamVolume } from '../viewer/streamVolume';
import type { EditingController } from './EditingController.svelte';
import { defaultLabels } from '../../common/labels/defaultLabels';
import { mergeLabelDefs } from './labels';
import type { Notices } from './Notices.svelte';
import type { ViewController } from './ViewController.svelte';

export interface Loading {
  progress: number | null;
  message: string;
}

/** The web mode's file browser, open for one choice. */
export interface BrowserRequest {
  title: string;
  pick: 'volume' | 'folder';
  then: (path: string) => void;
}

/**
 * What is open and where it is kept: volume, workspace case, label versions; loading and saving,
 * autosave to the recovery file and its restore offer, the series choice of multi-series folders.
 */
export class SessionController {
  info: AppInfo | null = $state(null);
  header: VolumeHeader | null = $state(null);
  currentCase: CaseSummary | null = $state(null);
  cases: CaseSummary[] = $state([]);
  versions: LabelVersionInfo[] = $state([]);
  loadedVersion: number | null = $state(null);
  workspaceRoot: string | null = $state(null);
  labelDefs: LabelDef[] = $state(defaultLabels());
  saveStatus: CaseStatus = $state('corrected');
  loading: Loading | null = $state(null);
  busy = $state(false);
  recoveryOffer: { savedAt: string; baseVersion: number | null } | null = $state(null);
  browser: BrowserRequest | null = $state(null);
  seriesChoice: { listing: SeriesListing; then: (s: SeriesInfo) => void } | null = $state(null);
  /** The user's answer to "are these values CT HU?" for the open volume; null = recognised from modality and values. */
  ctOverride: boolean | null = $state(null);
  readonly isCt = $derived(this.header ? (this.ctOverride ?? looksLikeCt(this.header)) : false);
  /** Per-case (or per-source) answers of this session, so reopening a scan keeps them. */
  private readonly ctOverrides = new Map<string, boolean>();
  private autosaveTimer: ReturnType<typeof setInterval> | null = null;
  private lastRecoveryRevision = 0;
  /** True while our own save is in flight: its 'labels' event is not a new version to load. */
  private saving = false;

  constructor(
    private readonly api: Med3dApi,
    private readonly view: ViewController,
    private readonly editing: EditingController,
    private readonly notices: Notices,
  ) {}

  // ---- start-up and events ----

  /** Reads the app and workspace state, then opens what the start asks for (?open=PATH, ?empty, the server's initial open). */
  async start(): Promise<void> {
    try {
      const info = (this.info = await this.api.getAppInfo());
      if (info.workspace) {
        const ws = await this.api.getWorkspace();
        if (ws) await this.useWorkspace(ws.root, ws.settings.labels, ws.settings.autosaveSeconds);
      }
      const start = info.initialOpen;
      const params = new URLSearchParams(location.search);
      if (params.get('open')) await this.openPath(params.get('open')!);
      else if (params.has('empty')) return;
      else if (start?.kind === 'case') await this.openCase(start.caseId);
      else if (start?.kind === 'path') await this.openPath(start.path);
      else if (start?.kind === 'demo' && info.demoAvailable) await this.openDemo();
    } catch (e) {
      this.notices.fail(e, 'Start');
    }
  }

  /** Subscribes to volume progress and workspace changes; returns the unsubscribe. */
  subscribe(): () => void {
    const offs = [
      this.api.onVolumeProgress((p) => {
        if (this.loading) this.loading = { progress: p.progress, message: p.message || this.loading.message };
      }),
      this.api.onWorkspaceChanged((e) => {
        if (e.reason === 'labels' && this.currentCase && e.caseId === this.currentCase.caseId) void this.refreshCase();
        else if (e.reason === 'cases' || e.reason === 'labels') void this.api.listCases().then((c) => (this.cases = c));
      }),
    ];
    const beforeUnload = (e: BeforeUnloadEvent): void => {
      if (this.editing.dirty) {
        void this.autosave();
        e.preventDefault();
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      for (const off of offs) off();
      window.removeEventListener('beforeunload', beforeUnload);
      if (this.autosaveTimer) clearInterval(this.autosaveTimer);
    };
  }

  // ---- loading ----

  /**
   * Streams the volume in (streamVolume): the views come up with the centre slices and stay
   * usable (scroll, window, brush) while the other slabs arrive under a progress bar; the volume
   * counts as open (header set) once every slice is in, so label versions, statistics and HU
   * readouts never see a half-arrived scan.
   */
  private async showVolume(h: VolumeHeader): Promise<void> {
    const viewer = this.view.viewer!;
    this.loading = { progress: 0, message: `Loading ${h.dims.join('×')} voxels…` };
    const t0 = performance.now();
    let tShown = t0;
    this.labelDefs = mergeLabelDefs(h.labels, this.info?.workspace ? this.labelDefs : undefined);
    const complete = await streamVolume(viewer, h, this.labelDefs, (s) => this.api.getVoxels({ volumeId: h.volumeId, ...s }), {
      window: defaultWindow(h.modality, h.min, h.max),
      onShown: () => {
        tShown = performance.now();
        this.editing.startVolume(h.dims);
        this.view.refresh();
      },
      onProgress: (f) => (this.loading = { progress: f, message: `Loading slices… ${Math.round(f * 100)}%` }),
    });
    if (!complete) return;
    const tAll = performance.now();
    this.editing.recomputeStats(); // strokes made while slabs arrived saw part of the scan
    this.header = h;
    this.ctOverride = this.ctOverrides.get(h.caseId ?? h.source) ?? null;
    this.lastRecoveryRevision = 0;
    this.view.refresh();
    // Where the open time goes (bench:ui prints it): centre slices + volume creation + first render, the other slabs, the rest.
    (window as unknown as { __med3dTiming?: Record<string, number> }).__med3dTiming = { shownMs: tShown - t0, streamMs: tAll - tShown, totalMs: performance.now() - t0 };
    for (const warning of h.warnings) this.notices.notify('info', warning);
  }

  private async withLoading<T>(message: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.loading = { progress: 0, message };
    try {
      return await fn();
    } catch (e) {
      this.notices.fail(e, message.replace(/…$/, ''));
      return undefined;
    } finally {
      this.busy = false;
      this.loading = null;
    }
  }

  private confirmDiscard(): boolean {
    return !this.editing.dirty || confirm('The label map has unsaved changes (they are kept in the recovery file). Continue?');
  }

  async openPath(path: string): Promise<void> {
    if (!this.confirmDiscard()) return;
    // A folder with several series: the user chooses (loading the largest one silently hid the others).
    const listing = await this.withLoading(`Reading ${path}…`, () => this.api.listSeries({ path }));
    if (!listing) return;
    if (listing.series.length > 1) this.seriesChoice = { listing, then: (s) => void this.openSeries(path, s) };
    else await this.openSeries(path);
  }

  /** Opens a scan, or one series of a multi-series DICOM folder (each series is its own case). */
  private async openSeries(path: string, s?: SeriesInfo): Promise<void> {
    const choice = s ? { series: s.key } : {};
    await this.withLoading(`Opening ${path}…`, async () => {
      if (this.workspaceRoot) {
        const name = s ? `${path.split(/[\\/]/).filter(Boolean).pop() ?? path} · ${s.seriesDescription ?? `series ${s.index}`}`.slice(0, 200) : undefined;
        const c = await this.api.addCase({ path, ...choice, ...(name ? { name } : {}) });
        this.cases = await this.api.listCases();
        await this.loadCase(c.caseId);
      } else {
        await this.showLooseVolume(await this.api.openVolume({ kind: 'path', path, ...choice }));
      }
    });
  }

  async openDemo(): Promise<void> {
    if (!this.confirmDiscard()) return;
    await this.withLoading('Opening the demo scan…', async () => {
      const h = await this.api.openVolume({ kind: 'demo' });
      // With a workspace the server files the demo as a case: open it as one (labels, tasks).
      if (h.caseId && this.workspaceRoot) {
        this.cases = await this.api.listCases();
        await this.loadCase(h.caseId);
      } else await this.showLooseVolume(h);
    });
  }

  /** A volume outside any workspace case: no versions to list. */
  private async showLooseVolume(h: VolumeHeader): Promise<void> {
    this.currentCase = null;
    this.versions = [];
    this.loadedVersion = null;
    await this.showVolume(h);
  }

  private async loadCase(caseId: string): Promise<void> {
    const r = await this.api.openCase({ caseId });
    this.currentCase = r.case;
    await this.showVolume(r.volume);
    this.versions = await this.api.listLabelVersions({ caseId });
    this.loadedVersion = null;
    if (r.latestLabel) await this.loadVersion(r.latestLabel.version, false);
    this.recoveryOffer = r.recovery;
  }

  async openCase(caseId: string): Promise<void> {
    if (!this.confirmDiscard()) return;
    await this.withLoading('Opening case…', () => this.loadCase(caseId));
  }

  async loadVersion(version: number, undoable = true): Promise<void> {
    const viewer = this.view.viewer;
    if (!this.currentCase || !viewer || !this.editing.editor) return;
    const d = await this.api.loadLabel({ caseId: this.currentCase.caseId, version });
    if (!d) return;
    this.editing.replaceLabels(viewer.toDisplayOrder(new Uint8Array(d.labels)), undoable);
    this.loadedVersion = version;
    this.editing.markSaved();
  }

  async restoreRecovery(): Promise<void> {
    const viewer = this.view.viewer;
    if (!this.currentCase || !viewer || !this.editing.editor) return;
    const r = await this.api.loadRecovery({ caseId: this.currentCase.caseId });
    this.recoveryOffer = null;
    if (!r) return;
    this.editing.replaceLabels(viewer.toDisplayOrder(new Uint8Array(r.labels)), true);
    this.loadedVersion = r.baseVersion;
    this.notices.notify('info', `Restored unsaved edits from ${new Date(r.savedAt).toLocaleString()}`);
  }

  async discardRecovery(): Promise<void> {
    if (this.currentCase) await this.api.discardRecovery({ caseId: this.currentCase.caseId }).catch((e: unknown) => this.notices.fail(e, 'Discard recovery'));
    this.recoveryOffer = null;
  }

  setCt(isCt: boolean): void {
    this.ctOverride = isCt;
    if (this.header) this.ctOverrides.set(this.header.caseId ?? this.header.source, isCt);
  }

  // ---- saving ----

  async save(): Promise<void> {
    const viewer = this.view.viewer;
    const editor = this.editing.editor;
    if (!viewer?.loaded || !editor) return;
    if (!this.currentCase) {
      this.notices.notify('error', 'Saving needs a workspace case: open a workspace, then open the scan into it.');
      return;
    }
    this.editing.finishStroke();
    const caseId = this.currentCase.caseId;
    const buf = viewer.labelsInSourceOrder().buffer as ArrayBuffer;
    const rev = editor.revision;
    this.saving = true;
    try {
      const v = await this.api.saveLabel({ caseId, labels: buf, status: this.saveStatus, baseVersion: this.loadedVersion });
      this.editing.markSaved(rev);
      this.loadedVersion = v.version;
      this.versions = await this.api.listLabelVersions({ caseId });
      this.cases = await this.api.listCases();
      this.currentCase = this.cases.find((c) => c.caseId === caseId) ?? this.currentCase;
      this.notices.notify('info', `Saved label version ${v.version} (${v.status})`);
    } catch (e) {
      this.notices.fail(e, 'Save');
    } finally {
      this.saving = false;
    }
  }

  private async autosave(): Promise<void> {
    const viewer = this.view.viewer;
    const editor = this.editing.editor;
    if (!this.currentCase || !viewer?.loaded || !editor || !this.editing.dirty || editor.revision === this.lastRecoveryRevision) return;
    const rev = editor.revision;
    try {
      await this.api.saveRecovery({ caseId: this.currentCase.caseId, labels: viewer.labelsInSourceOrder().buffer as ArrayBuffer, baseVersion: this.loadedVersion });
      this.lastRecoveryRevision = rev;
    } catch (e) {
      console.warn('autosave failed', e);
    }
  }

  /** File ▸ Export Mask… (NIfTI): to `path`, else where the desktop save dialog says (the Labels in and out panel offers DICOM SEG and browser downloads too). */
  async exportMask(path?: string): Promise<void> {
    if (!this.currentCase) return this.notices.notify('error', 'Exporting a mask needs a workspace case.');
    try {
      let dest = path;
      if (!dest && this.info?.nativeDialogs) {
        const chosen = await this.api.chooseFile({ purpose: 'export-mask' });
        if (!chosen) return;
        dest = chosen.path;
      }
      // A path chosen in the save dialog was confirmed there, replacing included.
      const r = await this.api.exportLabel({ caseId: this.currentCase.caseId, format: 'nifti', ...(dest ? { path: dest, overwrite: !path } : {}) });
      this.notices.notify('info', `Exported to ${r.path}`);
    } catch (e) {
      this.notices.fail(e, 'Export');
    }
  }

  // ---- workspace ----

  async openWorkspace(path: string): Promise<void> {
    try {
      const ws = await this.api.openWorkspace({ path, create: true });
      await this.useWorkspace(ws.root, ws.settings.labels, ws.settings.autosaveSeconds);
    } catch (e) {
      this.notices.fail(e, 'Open workspace');
    }
  }

  private async useWorkspace(root: string, labels: LabelDef[] | undefined, autosaveSeconds: number): Promise<void> {
    this.workspaceRoot = root;
    this.labelDefs = mergeLabelDefs(undefined, labels);
    this.cases = await this.api.listCases();
    if (this.autosaveTimer) clearInterval(this.autosaveTimer);
    this.autosaveTimer = autosaveSeconds > 0 ? setInterval(() => void this.autosave(), autosaveSeconds * 1000) : null;
  }

  async adjacent(direction: 'next' | 'previous', status?: CaseStatus): Promise<void> {
    try {
      const from = this.currentCase?.caseId ?? this.cases[0]?.caseId;
      if (!from) return;
      let c = await this.api.adjacentCase({ caseId: from, direction, status });
      if (!c && status === 'predicted') c = await this.api.adjacentCase({ caseId: from, direction, status: 'new' });
      if (c) await this.openCase(c.caseId);
      else this.notices.notify('info', status ? `No further case with status ${status}.` : `No ${direction} case.`);
    } catch (e) {
      this.notices.fail(e, 'Navigate cases');
    }
  }

  /** After a job or another process wrote labels for the open case: load the newest version unless edits are unsaved. */
  async refreshCase(): Promise<void> {
    if (!this.currentCase || this.busy || this.saving) return;
    const caseId = this.currentCase.caseId;
    this.cases = await this.api.listCases();
    this.versions = await this.api.listLabelVersions({ caseId });
    const latest = this.versions.at(-1);
    if (latest && latest.version !== this.loadedVersion) {
      if (this.editing.dirty) this.notices.notify('info', `A new label version ${latest.version} is ready; your unsaved edits were kept.`);
      else await this.loadVersion(latest.version, true);
    }
  }

  // ---- choosing files ----

  chooseVolume(): Promise<void> {
    return this.choose('nifti', 'Open a NIfTI file or DICOM folder', 'volume', (p) => this.openPath(p), 'Open');
  }

  chooseWorkspace(): Promise<void> {
    return this.choose('workspace', 'Open or create a workspace folder', 'folder', (p) => this.openWorkspace(p), 'Open workspace');
  }

  /** A native dialog in Electron, the restricted file browser in web mode. */
  private async choose(purpose: 'nifti' | 'workspace', title: string, pick: BrowserRequest['pick'], then: (path: string) => Promise<void>, context: string): Promise<void> {
    if (!this.info?.nativeDialogs) {
      this.browser = { title, pick, then: (p) => void then(p) };
      return;
    }
    const r = await this.api.chooseFile({ purpose }).catch((e: unknown) => this.notices.fail(e, context));
    if (r) await then(r.path);
  }

  async onDrop(e: DragEvent): Promise<void> {
    e.preventDefault();
    const files = [...(e.dataTransfer?.files ?? [])];
    if (!files.length) return;
    const bridge = (window as unknown as { med3d?: { droppedPaths?: (f: File[]) => Promise<string[]> } }).med3d;
    if (bridge?.droppedPaths) {
      const paths = await bridge.droppedPaths(files);
      if (paths[0]) await this.openPath(paths[0]);
    } else {
      this.notices.notify('error', 'Dropped files have no path in a browser: use Open… (the web mode opens files on the server machine).');
    }
  }
}
