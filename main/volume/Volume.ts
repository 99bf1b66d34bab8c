/**
 * The one in-memory representation of a 3D scan or label map, shared by readers, writers,
 * preprocessing, the engine adapters and the app.
 *
 * World frame: RAS+ millimetres (+x towards the patient's Right, +y Anterior, +z Superior),
 * exactly nibabel's `img.affine` convention. DICOM readers convert from LPS by negating the first two rows
 * of their LPS affine (see `lpsToRas` in geometry/). Keeping one frame inside the app means a
 * mask computed anywhere lands on the scan voxel for voxel.
 *
 * Voxel order: i (fastest), then j, then k — index = i + dims[0] * (j + dims[1] * k),
 * i.e. NIfTI / Fortran order. For DICOM series, i runs along a row (columns index),
 * j along a column (rows index) and k along the sorted slice normal.
 */
export type VoxelArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** Row-major 4x4 matrix: m[r * 4 + c]. */
export type Mat4 = Float64Array;

export type Vec3 = [number, number, number];

export interface VolumeMeta {
  /** File or folder the volume came from (for error messages and provenance). */
  source?: string;
  /** On-disk datatype name, e.g. 'int16', 'uint8', 'float32', 'rgb24'. */
  datatype?: string;
  /** 'CT', 'MR', ... when known (DICOM Modality, or a guess noted in warnings). */
  modality?: string;
  /** Human-readable notes about anything corrected or assumed while loading. */
  warnings: string[];
  /** DICOM identifiers kept for DICOM SEG export and series bookkeeping. */
  dicom?: {
    studyInstanceUID?: string;
    seriesInstanceUID?: string;
    frameOfReferenceUID?: string;
    /** SOPInstanceUIDs in k order (one per slice), with their SOP class. */
    sopInstanceUIDs?: string[];
    sopClassUID?: string;
    patient?: Record<string, string>;
  };
}

export interface Volume {
  /**
   * Voxel values, already scaled to physical units (NIfTI scl_slope/inter, DICOM rescale → HU).
   * Integer arrays are kept when scaling keeps values integral, to halve memory for CT.
   */
  data: VoxelArray;
  /** Number of voxels along i, j, k. */
  dims: Vec3;
  /** Voxel size in mm along i, j, k (norms of the affine's first three columns). */
  spacing: Vec3;
  /** Index (i, j, k, 1) → world RAS+ mm, row-major 4x4. */
  affine: Mat4;
  meta: VolumeMeta;
}

/** A label map: same grid conventions as Volume, integer labels (0 = background). */
export interface LabelMap extends Volume {
  data: Uint8Array | Uint16Array;
  /** Label value → name and display colour. */
  labels: Array<{ value: number; name: string; color?: [number, number, number] }>;
}
