import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { ImportDatasetResult, ImportLabelResult } from '../../../common/api/types';
import { importDataset } from '../../workspace/importDataset';
import { importLabelFile } from '../../workspace/importLabel';
import { isInside } from '../isInside';
import { atomicWriteFile } from '../../util/atomicWrite';
import { exportDestination } from './exportDestination';
import { EXPORTS_DIR, type ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/**
 * Labels in and out of the workspace: label versions out as NIfTI (a copy of the stored version)
 * or DICOM SEG, both on the source scan's geometry; exported files back to a browser (readExport);
 * masks and labelled datasets in (importLabel, importDataset: main/workspace).
 */
export class LabelExportService implements SliceOf<'exports'> {
  constructor(private readonly ctx: ServiceContext) {}

  async exportLabel(req: R.ExportLabelRequest): Promise<{ path: string }> {
    const { ctx } = this;
    const ws = ctx.workspace();
    const versions = ws.listLabelVersions(req.caseId);
    const v = req.version === undefined ? versions.at(-1) : versions.find((x) => x.version === req.version);
    if (!v) throw new ApiError('not-found', `case ${req.caseId} has no label version ${req.version ?? '(none saved yet)'}`);
    const ext = req.format === 'dicom-seg' ? '.seg.dcm' : '.nii.gz';
    // Default name: <workspace>/exports/<case>-v0001.nii.gz (-2, -3… when taken).
    const dest = await exportDestination(ctx, req, `${req.caseId}-v${String(v.version).padStart(4, '0')}`, ext);
    if (req.format === 'nifti') {
      // The stored version already is a NIfTI on the source grid: export is a copy. noReplace
      // closes the gap between the existence check above and the write.
      await atomicWriteFile(dest, await fs.readFile(ws.abs(v.file)), { noReplace: !req.overwrite }).catch((err: unknown) => {
        throw new ApiError('bad-file', `cannot export ${dest}: ${(err as Error).message}`, dest);
      });
      return { path: dest };
    }
    const label = await ws.loadLabel(req.caseId, v.version);
    const grid = ws.caseGrid(req.caseId);
    if (!label || !grid) throw new ApiError('not-found', `case ${req.caseId}: label version ${v.version} or its grid is missing`);
    const { vol } = await ctx.caseVolume(req.caseId);
    const { writeDicomSeg } = await import('../../volume/io/seg/writeDicomSeg');
    try {
      await writeDicomSeg(dest, ws.labelMap(label.labels, grid), { source: vol, algorithmType: 'SEMIAUTOMATIC', algorithmName: 'Med3D Workstation', seriesDescription: `Med3D ${req.caseId} v${v.version}` });
    } catch (err) {
      throw new ApiError('bad-file', `cannot export ${dest}: ${(err as Error).message}`, dest);
    }
    return { path: dest };
  }

  async readExport(req: R.ReadExportRequest): Promise<ArrayBuffer> {
    const { ctx } = this;
    const file = await ctx.guard.resolve(req.path, { mustExist: true, what: 'export' });
    const root = await fs.realpath(ctx.workspace().root).catch(() => ctx.workspace().root);
    const exportsDir = path.join(root, EXPORTS_DIR);
    if (file === exportsDir || !isInside(file, exportsDir)) throw new ApiError('forbidden-path', `${file} is not in the workspace's ${EXPORTS_DIR}/ folder (${exportsDir}): only exports can be downloaded`, file);
    const st = await fs.stat(file);
    if (!st.isFile()) throw new ApiError('invalid-request', `${file} is not a file`, file);
    const buf = await fs.readFile(file);
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }

  async importLabel(req: R.ImportLabelRequest): Promise<ImportLabelResult> {
    const { ctx } = this;
    const ws = ctx.workspace();
    await ws.getCase(req.caseId);
    const file = await ctx.guard.resolve(req.path, { mustExist: true, what: 'label file' });
    // The scan's grid, recorded when it was first loaded (load it now if it never was).
    const grid = ws.caseGrid(req.caseId) ?? (await ctx.caseVolume(req.caseId), ws.caseGrid(req.caseId));
    if (!grid) throw new ApiError('not-found', `case ${req.caseId}: the scan grid is unknown`);
    return importLabelFile(ws, req.caseId, file, grid, req.status ?? 'corrected');
  }

  async importDataset(req: R.ImportDatasetRequest): Promise<ImportDatasetResult> {
    const dir = await this.ctx.guard.resolve(req.path, { mustExist: true, what: 'dataset folder' });
    return importDataset(this.ctx.workspace(), dir);
  }
}
