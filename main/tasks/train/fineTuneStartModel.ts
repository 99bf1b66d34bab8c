import path from 'node:path';
import type { BackboneSpec, ModelSpec } from '../../engine/models/ModelSpec';
import { buildModel } from '../../engine/models/buildModel';
import type { HeadRegistry } from '../../engine/models/heads/headRegistry';
import { isEncoderKey, type Med3dModel } from '../../engine/models/Med3dModel';
import { loadWeights } from '../../engine/weights/loadWeights';
import { parsePreprocessing, type TaskPreprocessing } from '../engine/taskModel';
import { tinyBackbone } from '../defaultSpecs';

/**
 * The model a fine-tune job trains (segmentation from corrections, nodules from marks): the start
 * file's model itself when it has the task's head (with its preprocessing), else the task's head
 * on its (pretrained) encoder (a MedicalNet import), else a small model from scratch of `width`.
 */
export async function fineTuneStartModel(
  heads: HeadRegistry,
  taskSpec: (backbone: BackboneSpec) => ModelSpec,
  startFile: string | undefined,
  width: number | undefined,
): Promise<{ model: Med3dModel; pretrained: boolean; note: string; preprocessing?: TaskPreprocessing }> {
  if (!startFile) return { model: buildModel(heads, taskSpec(tinyBackbone(width)), { seed: 1 }), pretrained: false, note: 'from scratch' };
  const w = await loadWeights(startFile);
  const spec = taskSpec(w.spec.backbone);
  if (w.spec.head.kind === spec.head.kind) {
    const model = buildModel(heads, w.spec);
    model.loadStateDict(w.stateDict);
    const preprocessing = w.checkpoint?.meta.preprocessing !== undefined ? parsePreprocessing(w.checkpoint.meta.preprocessing) : undefined;
    return { model, pretrained: true, note: `continued from ${path.basename(startFile)}`, preprocessing };
  }
  const model = buildModel(heads, spec, { seed: 1 });
  const r = model.loadStateDict(new Map([...w.stateDict].filter(([k]) => isEncoderKey(k))), { strict: false });
  return { model, pretrained: true, note: `pretrained encoder from ${path.basename(startFile)}; new ${spec.head.kind} head (${r.missing.length} tensors initialised)` };
}
