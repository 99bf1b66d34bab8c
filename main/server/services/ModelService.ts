import path from 'node:path';
import { ApiError } from '../../../common/api/errors';
import type * as R from '../../../common/api/requests';
import type { ModelVersionInfo } from '../../../common/api/types';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/** The workspace's model versions per task: list, import weights, activate (rollback). */
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
}
