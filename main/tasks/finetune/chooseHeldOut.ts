import { splitValidation } from '../train/splitValidation';

/**
 * Which verified cases validate a fine-tuning run, i.e. decide whether its model replaces the
 * active method. Never a case the start model or the active model trained on (the comparison
 * would flatter them); cases that validated earlier versions stay held out first, so the yardstick
 * does not move from version to version. How many: splitValidation's rule over all verified cases
 * (the workspace's validationFraction, at least one once there are two, never all of them).
 */
export interface HeldOut {
  validation: string[];
  /** Why there is none: the note's "validation is impossible with …". */
  impossible?: string;
}

export function chooseHeldOut(verified: readonly string[], o: { fraction: number; trained: ReadonlySet<string>; heldBefore: ReadonlySet<string> }): HeldOut {
  const all = verified.map((id) => ({ id }));
  const count = splitValidation(all, o.fraction).validation.length;
  if (count === 0) return { validation: [], impossible: 'fewer than two verified cases' };
  const pool = all.filter((c) => !o.trained.has(c.id));
  const rest = pool.filter((c) => !o.heldBefore.has(c.id));
  const spread = splitValidation(rest, o.fraction).validation;
  const ordered = [...pool.filter((c) => o.heldBefore.has(c.id)), ...spread, ...rest.filter((c) => !spread.includes(c))].map((c) => c.id);
  const validation = ordered.slice(0, count).sort();
  return validation.length ? { validation } : { validation, impossible: 'no verified case that the start or active model has not trained on (verify a new case)' };
}
