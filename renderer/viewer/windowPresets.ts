import { looksLikeCt } from '../../common/volume/looksLikeCt';

/** Window/level presets (HU), the usual radiology values (Slicer and OHIF use the same ones). */
export interface WindowPreset {
  id: string;
  name: string;
  /** Window width and centre (level) in HU. */
  width: number;
  center: number;
  /** Shortcut key (1..5, as in OHIF). */
  key: string;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'lung', name: 'Lung', width: 1500, center: -600, key: '1' },
  { id: 'mediastinum', name: 'Mediastinum', width: 350, center: 50, key: '2' },
  { id: 'abdomen', name: 'Abdomen / liver', width: 400, center: 60, key: '3' },
  { id: 'bone', name: 'Bone', width: 1800, center: 400, key: '4' },
  { id: 'brain', name: 'Brain', width: 80, center: 40, key: '5' },
];

/** Width/centre → the [lower, upper] VOI range cornerstone uses. */
export function windowToRange(width: number, center: number): { lower: number; upper: number } {
  const w = Math.max(width, 1);
  return { lower: center - w / 2, upper: center + w / 2 };
}

export function rangeToWindow(lower: number, upper: number): { width: number; center: number } {
  return { width: upper - lower, center: (upper + lower) / 2 };
}

/**
 * A sensible first window for a volume: the abdomen preset for CT-like HU data, otherwise the
 * robust full range (data min..max) for MR and other modalities.
 */
export function defaultWindow(modality: string, min: number, max: number): { width: number; center: number } {
  if (looksLikeCt({ modality, min, max })) return { width: 400, center: 40 };
  if (!(max > min)) return { width: 1, center: min };
  return rangeToWindow(min, max);
}
