/**
 * The label map being edited: one uint8 label per voxel on the scan's grid (i fastest, then j,
 * then k, as main/volume/Volume.ts), with the voxel size needed for sizes given in mm.
 */
export type Dims3 = [number, number, number];

export interface LabelGrid {
  data: Uint8Array;
  dims: Dims3;
  /** Voxel size in mm along i, j, k. */
  spacing: Dims3;
}

/** Index-axis 0 (i), 1 (j) or 2 (k). */
export type Axis = 0 | 1 | 2;

export function voxelIndex(dims: Dims3, i: number, j: number, k: number): number {
  return i + dims[0] * (j + dims[1] * k);
}

export function inBounds(dims: Dims3, i: number, j: number, k: number): boolean {
  return i >= 0 && j >= 0 && k >= 0 && i < dims[0] && j < dims[1] && k < dims[2];
}

/** Intensity image on the same grid (HU for CT), used by threshold-limited tools. */
export interface IntensityImage {
  data: ArrayLike<number>;
  dims: Dims3;
}

/**
 * Which labels may be written: a locked label is never overwritten or erased by any tool.
 * `locked[v]` true means label value v is locked.
 */
export type LockTable = ReadonlyArray<boolean>;

export function isLocked(locked: LockTable | undefined, value: number): boolean {
  return locked !== undefined && value !== 0 && locked[value] === true;
}
