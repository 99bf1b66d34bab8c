/** NIfTI datatype codes (nifti1.h) and how we hold them in memory. */
export interface NiftiDatatype {
  code: number;
  name: string;
  /** Bytes per voxel on disk. */
  bytes: number;
  /** Bytes per scalar for byte swapping (rgb: 1). */
  swapBytes: number;
  /** Readable by us. */
  supported: boolean;
}

const TABLE: NiftiDatatype[] = [
  { code: 1, name: 'binary', bytes: 0, swapBytes: 1, supported: false },
  { code: 2, name: 'uint8', bytes: 1, swapBytes: 1, supported: true },
  { code: 4, name: 'int16', bytes: 2, swapBytes: 2, supported: true },
  { code: 8, name: 'int32', bytes: 4, swapBytes: 4, supported: true },
  { code: 16, name: 'float32', bytes: 4, swapBytes: 4, supported: true },
  { code: 32, name: 'complex64', bytes: 8, swapBytes: 4, supported: false },
  { code: 64, name: 'float64', bytes: 8, swapBytes: 8, supported: true },
  { code: 128, name: 'rgb24', bytes: 3, swapBytes: 1, supported: true },
  { code: 256, name: 'int8', bytes: 1, swapBytes: 1, supported: true },
  { code: 512, name: 'uint16', bytes: 2, swapBytes: 2, supported: true },
  { code: 768, name: 'uint32', bytes: 4, swapBytes: 4, supported: true },
  { code: 1024, name: 'int64', bytes: 8, swapBytes: 8, supported: true },
  { code: 1280, name: 'uint64', bytes: 8, swapBytes: 8, supported: true },
  { code: 1536, name: 'float128', bytes: 16, swapBytes: 16, supported: false },
  { code: 1792, name: 'complex128', bytes: 16, swapBytes: 8, supported: false },
  { code: 2048, name: 'complex256', bytes: 32, swapBytes: 16, supported: false },
  { code: 2304, name: 'rgba32', bytes: 4, swapBytes: 1, supported: true },
];

export function niftiDatatype(code: number): NiftiDatatype | undefined {
  return TABLE.find((t) => t.code === code);
}

export function niftiDatatypeByName(name: string): NiftiDatatype | undefined {
  return TABLE.find((t) => t.name === name);
}
