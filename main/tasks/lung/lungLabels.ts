import type { LabelMap } from '../../volume/Volume';

/** Label values of every lung mask the app produces (cold start, models, phantom truth). */
export const LUNG_LABELS = { right: 1, left: 2 } as const;

export const LUNG_LABEL_TABLE: LabelMap['labels'] = [
  { value: LUNG_LABELS.right, name: 'right lung', color: [128, 174, 128] },
  { value: LUNG_LABELS.left, name: 'left lung', color: [111, 184, 210] },
];
