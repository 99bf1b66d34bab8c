/**
 * Learning-rate schedules as pure functions of the global step: factor(step) multiplies each
 * group's base learning rate. `totalSteps` is the planned length of the run.
 */
export type LrSchedule =
  | { kind: 'constant' }
  /** ×gamma every `stepSize` steps (torch StepLR). */
  | { kind: 'step'; stepSize: number; gamma: number }
  /** Cosine from 1 to minFactor over totalSteps (torch CosineAnnealingLR), optional linear warm-up. */
  | { kind: 'cosine'; minFactor?: number; warmupSteps?: number }
  /** (1 − step/total)^power (the "poly" policy of segmentation work; power 0.9 by default). */
  | { kind: 'poly'; power?: number };

export function lrFactor(s: LrSchedule, step: number, totalSteps: number): number {
  switch (s.kind) {
    case 'constant':
      return 1;
    case 'step':
      return Math.pow(s.gamma, Math.floor(step / s.stepSize));
    case 'cosine': {
      const warm = s.warmupSteps ?? 0;
      if (step < warm) return (step + 1) / warm;
      const span = Math.max(1, totalSteps - warm);
      const t = Math.min(1, (step - warm) / span);
      const min = s.minFactor ?? 0;
      return min + ((1 - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    case 'poly':
      return Math.pow(Math.max(0, 1 - step / Math.max(1, totalSteps)), s.power ?? 0.9);
  }
}
