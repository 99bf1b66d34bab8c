/**
 * Whether a volume's values are CT Hounsfield units, for files that do not say (NIfTI has no
 * modality): air is −1000 HU and scanners pad outside the field of view with −1024, −2048 or
 * −3024, while dense bone and metal reach the thousands. MR, PET and normalised data do not
 * span that range with such a floor. A declared modality wins over the values.
 */
export interface ValueFacts {
  /** 'CT', 'MR', ... or 'unknown' when the file does not say. */
  modality: string;
  /** Smallest and largest voxel value (physical units after any rescale). */
  min: number;
  max: number;
}

/** Lowest floor seen in practice (Siemens/GE pad with −3024) and the highest air/padding value that still counts. */
const FLOOR_RANGE: readonly [number, number] = [-3100, -900];
/** Soft tissue is 20–80 HU and bone several hundred: a CT always reaches above this. */
const MIN_TOP = 150;

export function looksLikeCt(v: ValueFacts): boolean {
  const m = v.modality.trim().toUpperCase();
  if (m === 'CT') return true;
  if (m !== '' && m !== 'UNKNOWN' && m !== 'OT') return false;
  return v.min >= FLOOR_RANGE[0] && v.min <= FLOOR_RANGE[1] && v.max >= MIN_TOP && v.max <= 65535;
}
