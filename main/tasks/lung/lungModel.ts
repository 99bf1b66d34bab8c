import type { Volume } from '../../volume/Volume';
import { segmentVolume, type ModelSegmentation } from '../engine/segmentVolume';
import { loadTaskModel, type TaskModel, type TaskPreprocessing } from '../engine/taskModel';
import { LUNG_LABEL_TABLE } from './lungLabels';
import type { LungPredictor } from './segmentLungs';

/**
 * Lung segmentation with a Med3D model (encoder + lung decoder): preprocessing per the paper
 * (resample to the domain's spacing, clip to 0.5–99.5 percentiles, z-score), sliding windows
 * when the scan is larger than the training window, argmax, and the mask pasted back onto the
 * source grid (label-vote resampling, V's mapToSource).
 * Classes: 3 = background / right / left; 2 = background / lung (written as label 1).
 */
/** 4 x 4 x 5 mm keeps a whole chest under 100^3 voxels: the CPU budget of a desktop. */
export const LUNG_DEFAULT_PREPROCESSING: TaskPreprocessing = { spacing: [4, 4, 5], clip: [0.5, 99.5], window: [96, 96, 64] };

export function lungPredictorFrom(tm: TaskModel): LungPredictor {
  const head = tm.spec.head;
  if (head.kind === 'none' || head.kind === 'classifier' || head.kind === 'multi-domain') {
    throw new Error(`model ${tm.source} has a '${head.kind}' head, not a segmentation decoder: fine-tune a lung model from it first`);
  }
  const classes = head.classes;
  if (classes !== 2 && classes !== 3) throw new Error(`model ${tm.source}: a lung model has 2 or 3 classes, this one has ${classes}`);
  return {
    describe: () => `${tm.versionId ?? tm.source} (ResNet-${tm.spec.backbone.depth} ${head.kind}, ${classes} classes)`,
    predict: async (ct: Volume, signal?: AbortSignal): Promise<ModelSegmentation> => predictLungMask(tm, ct, signal),
  };
}

export function predictLungMask(tm: TaskModel, ct: Volume, signal?: AbortSignal): ModelSegmentation {
  const head = tm.spec.head;
  const classes = 'classes' in head ? head.classes : 0;
  const table = classes === 3 ? LUNG_LABEL_TABLE : [{ value: 1, name: 'lung', color: [128, 174, 128] as [number, number, number] }];
  const s = segmentVolume(tm, ct, tm.labels ?? [{ value: 0, name: 'background' }, ...table], signal);
  return tm.labels ? s : { ...s, mask: { ...s.mask, labels: table.map((x) => ({ ...x })) } };
}

export async function loadLungPredictor(ref: string, opts: { workspace?: string } = {}): Promise<LungPredictor> {
  const tm = await loadTaskModel(ref, { workspace: opts.workspace, defaults: LUNG_DEFAULT_PREPROCESSING });
  return lungPredictorFrom(tm);
}
