import { buildModel } from '../../engine/models/buildModel';
import { isEncoderKey, type Med3dModel } from '../../engine/models/Med3dModel';
import type { TrainLoopOptions } from '../../engine/train/trainLoop';
import type { StateDict } from '../../engine/nn/StateDict';
import type { PreparedTraining } from '../train/TrainingRecipe';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * Med3D multi-domain pretraining on top of the one training loop: each dataset is prepared by
 * the ordinary segmentation recipe (its own median spacing, label table, patches, augmentation),
 * and the multi-domain model's batches take turns over the datasets, each batch from one dataset
 * and tagged with its branch, so it trains the shared encoder and that dataset's branch only.
 */
export interface PretrainDomain {
  /** Dataset name (reports, metric keys). */
  name: string;
  /** Classes of its branch (the dataset's label table, background included). */
  classes: number;
  prepared: PreparedTraining;
}

/** Round-robin over domains by global step: every dataset gets the same share of steps. */
export function multiDomainBatch(domains: readonly PretrainDomain[], stepsPerEpoch: number): TrainLoopOptions['batch'] {
  return (epoch, index, seed) => {
    const d = (epoch * stepsPerEpoch + index) % domains.length;
    return { ...domains[d].prepared.batch(epoch, index, seed), domain: d };
  };
}

/**
 * Domain `d` of a multi-domain model as an ordinary single-head model: the shared encoder plus
 * branch d, which is exactly a liver-coarse head (conv 1³ + trilinear upsampling), so the
 * segmentation recipe's validation runs on it unchanged.
 */
function branchModel(model: Med3dModel, d: number): Med3dModel {
  const head = model.spec.head;
  if (head.kind !== 'multi-domain') throw new Error(`not a multi-domain model (head '${head.kind}')`);
  const classes = head.classesPerDomain[d];
  if (classes === undefined) throw new Error(`multi-domain model has no branch ${d}`);
  const sd: StateDict = new Map();
  for (const [k, t] of model.stateDict()) {
    if (isEncoderKey(k)) sd.set(k, t);
    else if (k.startsWith(`branches.${d}.`)) sd.set(`coarse_seg.${k.slice(`branches.${d}.`.length)}`, t);
  }
  const m = buildModel(createHeadRegistry(), { backbone: model.spec.backbone, head: { kind: 'liver-coarse', classes } });
  m.loadStateDict(sd);
  return m;
}

/** Validation metrics per domain ('dice/<name>') and their mean ('dice', which picks the best weights). */
export function validateDomains(model: Med3dModel, domains: readonly PretrainDomain[]): Record<string, number> {
  const out: Record<string, number> = {};
  let sum = 0;
  domains.forEach((dom, d) => {
    const m = branchModel(model, d);
    try {
      const dice = dom.prepared.validate(m).dice;
      out[`dice/${dom.name}`] = dice;
      sum += dice;
    } finally {
      m.dispose();
    }
  });
  out.dice = sum / domains.length;
  return out;
}
