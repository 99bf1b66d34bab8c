import { promises as fs } from 'node:fs';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { LabelDef, SeriesListing, VolumeHeader } from '../../../common/api/types';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import type { DemoScan, ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';
import { isNiftiFileName } from '../../../common/files/fileKind';

const DEMO_FILE = 'demo/ct-phantom.nii.gz';

async function defaultDemo(): Promise<DemoScan> {
  const { generateCtPhantom } = await import('../../tasks/phantom/ctPhantom');
  const p = generateCtPhantom({ seed: 1 });
  return {
    ct: p.ct,
    labels: [
      { value: 1, name: 'Right lung', color: [220, 80, 80] },
      { value: 2, name: 'Left lung', color: [80, 160, 230] },
    ],
  };
}

/** Scans in and out of memory: open a file/folder or the demo phantom as a case, voxels, DICOM series. */
export class VolumeService implements SliceOf<'volumes'> {
  /** The demo file being written, per workspace root (another workspace writes its own copy). */
  private demo: { root: string; file: Promise<string> } | null = null;

  constructor(private readonly ctx: ServiceContext) {}

  /** Load a scan file, make it a workspace case (once) and register the volume. */
  private async openScanAsCase(file: string, labels?: LabelDef[], name?: string, series?: string): Promise<VolumeHeader> {
    const { ctx } = this;
    const ws = ctx.workspace();
    const vol = await ctx.loadScan(file, series);
    const c = await ws.addCase(file, { grid: ctx.gridOf(vol), ...(name ? { name } : {}), ...(series !== undefined ? { series } : {}) });
    const g = ws.caseGrid(c.caseId);
    if (!g || g.dims.some((d, k) => d !== vol.dims[k])) await ws.setCaseGrid(c.caseId, ctx.gridOf(vol));
    return ctx.store.add(vol, { caseId: c.caseId, source: file, labels: labels ?? ws.settings().labels });
  }

  async openVolume(req: R.OpenVolumeRequest): Promise<VolumeHeader> {
    if (req.kind === 'demo') {
      const file = await this.ensureDemoFile();
      return this.openScanAsCase(file, undefined, 'Demo CT phantom');
    }
    const file = await this.ctx.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    const header = await this.openScanAsCase(file, undefined, undefined, req.series);
    const st = await fs.stat(file);
    await this.ctx.recent.add(file, st.isDirectory() || !isNiftiFileName(file) ? 'dicom' : 'nifti');
    return header;
  }

  /** The demo phantom, written once into the workspace so it is a real, reloadable case. */
  private ensureDemoFile(): Promise<string> {
    const ws = this.ctx.workspace();
    if (this.demo?.root === ws.root) return this.demo.file;
    const file = (async () => {
      const abs = ws.abs(DEMO_FILE);
      const exists = await fs.stat(abs).then(
        () => true,
        () => false,
      );
      if (!exists) {
        this.ctx.events.emit('volumeProgress', { source: 'demo:phantom', progress: 0, message: 'generating the demo CT phantom' });
        const demo = await (this.ctx.opts.demo ?? defaultDemo)();
        await writeNifti(abs, demo.ct, { compressionLevel: 1 });
      }
      return abs;
    })();
    const entry = { root: ws.root, file };
    this.demo = entry;
    file.catch(() => {
      if (this.demo === entry) this.demo = null;
    });
    return file;
  }

  /**
   * The voxels of slices [kStart, kStart + kCount), or all, as a buffer made for this reply alone:
   * the service host moves it to the transport instead of copying it (serviceHostMain), and a copy
   * keeps the open volume safe from whatever the caller does with the reply.
   */
  async getVoxels(req: R.GetVoxelsRequest): Promise<ArrayBuffer> {
    const { vol } = this.ctx.store.get(req.volumeId);
    const nz = vol.dims[2];
    const k0 = req.kStart ?? 0;
    if (k0 >= nz) throw new ApiError('invalid-request', `kStart ${k0} is beyond the volume's ${nz} slices`);
    const k1 = Math.min(nz, k0 + (req.kCount ?? nz - k0));
    const slice = vol.dims[0] * vol.dims[1];
    return vol.data.slice(k0 * slice, k1 * slice).buffer as ArrayBuffer;
  }

  async listSeries(req: R.ListSeriesRequest): Promise<SeriesListing> {
    const dir = await this.ctx.guard.resolve(req.path, { mustExist: true, what: 'scan' });
    if (!(await fs.stat(dir)).isDirectory()) return { path: dir, series: [], skippedFiles: 0 };
    const { listDicomSeries } = await import('../../volume/io/dicom/listDicomSeries');
    try {
      return await listDicomSeries(dir);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new ApiError('bad-file', msg.includes(dir) ? msg : `cannot list the series of ${dir}: ${msg}`, dir);
    }
  }

  async closeVolume(req: R.VolumeRef): Promise<void> {
    this.ctx.store.close(req.volumeId);
  }
}
