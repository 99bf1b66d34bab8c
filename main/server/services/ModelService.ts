import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { ModelVersionInfo } from '../../../common/api/types';
import type { LoadedWeights } from '../../engine/weights/loadWeights';
import { atomicWriteFile } from '../../util/atomicWrite';
import { exportDestination } from './exportDestination';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

type ModelWriter = (dest: string, w: LoadedWeights, source: { path: string; versionId: string; note: string }) => Promise<void>;

/** One writer per export format. */
const MODEL_WRITERS: Record<R.ExportModelRequest['format'], ModelWriter> = {
  // Our checkpoints go out as stored (metadata, preprocessing and history kept); an imported .pth is converted.
  m3d: async (dest, w, src) => {
    if (w.kind === 'med3d') return atomicWriteFile(dest, await fs.readFile(src.path));
    const { saveCheckpoint } = await import('../../engine/weights/checkpoint');
    await saveCheckpoint(dest, { spec: w.spec, stateDict: w.stateDict, meta: { createdAt: new Date().toISOString(), source: `${src.versionId}: ${src.note}` } });
  },
  // MedicalNet's layout, {'state_dict': {'module.<key>': tensor}}: its scripts and torch.load read it.
  pth: async (dest, w) => {
    const { writePth } = await import('../../engine/weights/writePth');
    await writePth(dest, w.stateDict);
  },
};

/** The workspace's model versions per task: list, import weights, activate (rollback), delete, export. */
export class ModelService implements SliceOf<'models'> {
  constructor(private readonly ctx: ServiceContext) {}

  async listModels(req: R.ListModelsRequest): Promise<ModelVersionInfo[]> {
    return this.ctx.workspace().listModels(req.task);
  }

  async importWeights(req: R.ImportWeightsRequest): Promise<ModelVersionInfo> {
    const file = await this.ctx.guard.resolve(req.path, { mustExist: true, what: 'weights file' });
    // Parse before copying: a wrong or corrupt file is refused with the reader's message (names the file).
    const { loadWeights } = await import('../../engine/weights/loadWeights');
    let backbone: string;
    let kind: 'pth' | 'med3d';
    try {
      const w = await loadWeights(file);
      backbone = `resnet${w.spec.backbone.depth}`;
      kind = w.kind;
    } catch (err) {
      throw new ApiError('bad-file', err instanceof Error ? err.message : String(err), file);
    }
    const rec = await this.ctx.workspace().importModelFile(
      file,
      { task: req.task, backbone, parent: null, origin: 'import', trainingCases: [], metrics: {}, note: req.note ?? path.basename(file) },
      { activate: req.activate ?? true, ext: kind === 'med3d' ? 'm3d' : 'pth' },
    );
    await this.ctx.recent.add(file, 'weights');
    return rec;
  }

  async activateModel(req: R.ActivateModelRequest): Promise<ModelVersionInfo> {
    return this.ctx.workspace().activateModel(req.task, req.versionId);
  }

  async deleteModel(req: R.DeleteModelRequest): Promise<ModelVersionInfo> {
    return this.ctx.workspace().deleteModel(req.versionId);
  }

  async exportModel(req: R.ExportModelRequest): Promise<{ path: string }> {
    const m = this.ctx.workspace().getModel(req.versionId);
    const dest = await exportDestination(this.ctx, req, m.versionId, `.${req.format}`);
    const { loadWeights } = await import('../../engine/weights/loadWeights');
    let w: LoadedWeights;
    try {
      w = await loadWeights(m.path);
    } catch (err) {
      throw new ApiError('bad-file', err instanceof Error ? err.message : String(err), m.path);
    }
    try {
      await MODEL_WRITERS[req.format](dest, w, { path: m.path, versionId: m.versionId, note: m.note });
    } catch (err) {
      throw new ApiError('bad-file', `cannot export ${m.versionId} to ${dest}: ${err instanceof Error ? err.message : String(err)}`, dest);
    }
    return { path: dest };
  }
}
