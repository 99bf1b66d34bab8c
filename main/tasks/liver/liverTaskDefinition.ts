import { denseAsppRates } from '../../engine/models/heads/denseAsppHeadShape';
import type { BackboneSpec } from '../../engine/models/ModelSpec';
import type { TaskDefinition } from '../TaskDefinition';
import { LIVER_HU } from './liverTask';

/**
 * `med3d train --task liver`: the paper's two-stage liver segmentation (coarse encoder + 1³ conv
 * on the resized scan, then 3D DenseASPP on ROI crops) as one model (head 'liver-two-stage'),
 * trained by liverRecipe from any segmentation dataset with a label named 'liver' (lesion labels
 * count as liver). CT window −200..250 HU by default (`--hu-window` overrides); no percentile
 * clip, as the window already bounds the intensities. Both stages predict background / liver;
 * the dataset's label table is stored so masks come back with its liver value.
 * A function of the default backbone so that the task list can include it without an import cycle.
 */
export function liverTaskDefinition(backbone: BackboneSpec): TaskDefinition {
  return {
    id: 'liver',
    title: 'Two-stage liver segmentation: coarse stage on the whole scan, 3D DenseASPP on the liver ROI (HU window -200,250)',
    kind: 'segmentation',
    checkpointTask: 'liver-two-stage',
    labels: 'from-dataset',
    head: (b) => ({ kind: 'liver-two-stage', classes: 2, growth: Math.max(4, b.baseWidth), rates: denseAsppRates(3) }),
    backbone,
    preprocessing: { huWindow: LIVER_HU, clip: null, orientation: 'RAS' },
    patch: [48, 48, 32],
    batchSize: 2,
    metric: 'dice',
    recipe: 'liver-two-stage',
  };
}
