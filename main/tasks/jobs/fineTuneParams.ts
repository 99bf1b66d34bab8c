import { v } from '../../../common/api/schema';

/**
 * The parameters both fine-tune kinds take ('finetune' from masks, 'nodule:finetune' from nodule
 * marks), as api.fineTune and startJob send them; each kind adds its own to these.
 */
export const FINE_TUNE_PARAMS = {
  /** Train only on these cases (default: every labelled / marked case); ids and sizes as api.fineTune allows them. */
  caseIds: v.optional(v.array(v.string({ max: 200 }), { max: 10_000 })),
  steps: v.optional(v.number({ integer: true, min: 1, max: 1_000_000 })),
  minutes: v.optional(v.number({ min: 0, max: 10_000 })),
  /** A model version id of the task, or 'scratch' / 'cold-start' (a new model); default the active model. */
  from: v.optional(v.string({ max: 200 })),
  promotion: v.optional(v.literal('automatic', 'manual')),
  /** Advanced: training patch (voxels, multiples of 8) and width of a model from scratch. */
  patch: v.optional(v.tuple3(v.number({ integer: true, min: 8 }))),
  width: v.optional(v.number({ integer: true, min: 1, max: 64 })),
  /** What started it: the fine-tune panel / api.fineTune ('manual') or a save of a verified case ('save'). */
  trigger: v.optional(v.literal('manual', 'save')),
};

/** What the schema cannot say: a budget of more than 0 minutes, patch sizes of multiples of 8. */
export function checkFineTuneParams(kind: string, p: { minutes?: number; patch?: [number, number, number] }): void {
  if (p.minutes === 0) throw new Error(`${kind}: minutes must be a positive number`);
  if (p.patch && !p.patch.every((x) => Number.isInteger(x) && x % 8 === 0)) throw new Error(`${kind}: patch sizes must be multiples of 8`);
}
