import type { Vec3, Volume, VoxelArray } from '../../Volume';
import { spacingFromAffine } from '../../geometry/affine';
import type { NiftiImage } from './decodeNifti';

export interface NiftiVolumeOptions {
  /** Which 3D volume of a 4D/5D file to take (flattened over dims 4..7), default 0. */
  volumeIndex?: number;
  source?: string;
}

/** Number of 3D volumes in the file (product of dims 4..7). */
export function niftiVolumeCount(img: NiftiImage): number {
  let n = 1;
  for (let i = 3; i < img.shape.length; i++) n *= img.shape[i];
  return n;
}

/**
 * All stored scalars as a typed array (no scaling; RGB/RGBA: the channel bytes, interleaved).
 * int64/uint64 become Float64Array (exact up to 2^53).
 */
export function storedScalars(img: NiftiImage): VoxelArray {
  return typedView(img.bytes, img.datatype.name);
}

function typedView(bytes: Uint8Array, dtype: string): VoxelArray {
  const aligned = (size: number): ArrayBuffer => {
    if (bytes.byteOffset % size === 0) return bytes.buffer as ArrayBuffer;
    return bytes.slice().buffer as ArrayBuffer;
  };
  const off = (size: number): number => (bytes.byteOffset % size === 0 ? bytes.byteOffset : 0);
  const len = (size: number): number => bytes.byteLength / size;
  switch (dtype) {
    case 'uint8':
    case 'rgb24':
    case 'rgba32':
      return bytes;
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    case 'int16':
      return new Int16Array(aligned(2), off(2), len(2));
    case 'uint16':
      return new Uint16Array(aligned(2), off(2), len(2));
    case 'int32':
      return new Int32Array(aligned(4), off(4), len(4));
    case 'uint32':
      return new Uint32Array(aligned(4), off(4), len(4));
    case 'float32':
      return new Float32Array(aligned(4), off(4), len(4));
    case 'float64':
      return new Float64Array(aligned(8), off(8), len(8));
    case 'int64': {
      const b = new BigInt64Array(aligned(8), off(8), len(8));
      const out = new Float64Array(b.length);
      for (let i = 0; i < b.length; i++) out[i] = Number(b[i]);
      return out;
    }
    case 'uint64': {
      const b = new BigUint64Array(aligned(8), off(8), len(8));
      const out = new Float64Array(b.length);
      for (let i = 0; i < b.length; i++) out[i] = Number(b[i]);
      return out;
    }
    default:
      throw new Error(`datatype ${dtype} cannot be viewed as scalars`);
  }
}

/** Smallest integer array type holding [min, max], or null. */
function integerTypeFor(min: number, max: number): ((n: number) => VoxelArray) | null {
  if (min >= 0 && max <= 255) return (n) => new Uint8Array(n);
  if (min >= -32768 && max <= 32767) return (n) => new Int16Array(n);
  if (min >= 0 && max <= 65535) return (n) => new Uint16Array(n);
  if (min >= -2147483648 && max <= 2147483647) return (n) => new Int32Array(n);
  return null;
}

/**
 * One 3D volume of a decoded NIfTI as a Volume: values scaled as nibabel's get_fdata
 * (integer arrays kept when the scaling is the identity or maps integers to integers),
 * RAS+ affine as nibabel's img.affine.
 */
export function niftiToVolume(img: NiftiImage, opts: NiftiVolumeOptions = {}): Volume {
  const warnings: string[] = [];
  const dims: Vec3 = [img.shape[0] ?? 1, img.shape[1] ?? 1, img.shape[2] ?? 1];
  const n3 = dims[0] * dims[1] * dims[2];
  const nVol = niftiVolumeCount(img);
  const index = opts.volumeIndex ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= nVol)
    throw new Error(`volume index ${index} out of range: the file has ${nVol} volume(s) (shape ${img.shape.join('x')})`);
  if (nVol > 1)
    warnings.push(
      `${img.shape.length}D image (shape ${img.shape.join('x')}, ${nVol} volumes): loaded volume ${index}${
        opts.volumeIndex === undefined ? ' (default); choose another with volumeIndex' : ''
      }`,
    );
  const bpv = img.datatype.bytes;
  const bytes = img.bytes.subarray(index * n3 * bpv, (index + 1) * n3 * bpv);
  let data: VoxelArray;
  const dtype = img.datatype.name;
  if (dtype === 'rgb24' || dtype === 'rgba32') {
    // Segmentation models take one channel: ITU-R BT.601 luma, as most viewers show colour volumes in grey.
    const ch = dtype === 'rgb24' ? 3 : 4;
    const out = new Float32Array(n3);
    for (let i = 0, p = 0; i < n3; i++, p += ch) out[i] = 0.299 * bytes[p] + 0.587 * bytes[p + 1] + 0.114 * bytes[p + 2];
    data = out;
    warnings.push(`${dtype.toUpperCase()} colour image converted to grey (luma 0.299R + 0.587G + 0.114B)`);
  } else {
    data = typedView(bytes, dtype);
    if (dtype === 'int64' || dtype === 'uint64') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < data.length; i++) {
        if (data[i] < lo) lo = data[i];
        if (data[i] > hi) hi = data[i];
      }
      const make = integerTypeFor(lo, hi);
      if (make) {
        const small = make(data.length);
        small.set(data);
        data = small;
      } else if (Math.max(Math.abs(lo), Math.abs(hi)) > Number.MAX_SAFE_INTEGER) {
        warnings.push(`${dtype} values beyond 2^53 lose precision in float64`);
      }
    }
  }
  if (img.scaling && !(img.scaling.slope === 1 && img.scaling.inter === 0)) {
    const { slope, inter } = img.scaling;
    const storedNonFinite = countNonFinite(data);
    data = applyScaling(data, slope, inter);
    if (data instanceof Float64Array && dtype !== 'float64')
      warnings.push(`scaled values exceed the float32 range (scl_slope ${slope}, scl_inter ${inter}): kept as float64`);
    const overflow = countNonFinite(data) - storedNonFinite;
    if (overflow > 0) warnings.push(`${overflow} voxels overflow to ±Infinity when scaled by scl_slope ${slope}, scl_inter ${inter}`);
  } else if (data.buffer === img.bytes.buffer && nVol > 1) {
    // Do not keep the other volumes alive through a view.
    data = data.slice();
  }
  const affine = Float64Array.from(img.affine);
  if (img.affineSource === 'pixdim')
    warnings.push('no sform or qform (both codes 0): affine built from pixdim, orientation is a guess');
  const spatialUnits = img.xyztUnits & 7;
  if (spatialUnits === 1) warnings.push('spatial units are metres (xyzt_units); values used as given, like nibabel');
  else if (spatialUnits === 3) warnings.push('spatial units are micrometres (xyzt_units); values used as given, like nibabel');
  return {
    data,
    dims,
    spacing: spacingFromAffine(affine),
    affine,
    meta: { source: opts.source, datatype: dtype, warnings },
  };
}

/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * value * slope + inter; integer output when inputs and factors are integral and the range fits,
 * float32 when the scaled range fits float32, float64 otherwise (nibabel scales in float64, so a huge
 * scl_slope gives large finite values there, not Infinity).
 */
export function applyScaling(data: VoxelArray, slope: number, inter: number): VoxelArray {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < lo) lo = data[i];
    if (data[i] > hi) hi = data[i];
  }
  const a = lo * slope + inter;
  const b = hi * slope + inter;
  const isInt = !(data instanceof Float32Array || data instanceof Float64Array);
  if (isInt && Number.isInteger(slope) && Number.isInteger(inter)) {
    const make = integerTypeFor(Math.min(a, b), Math.max(a, b));
    if (make) {
      const out = make(data.length);
      for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + inter;
      return out;
    }
  }
  const fitsFloat32 = !(data instanceof Float64Array) && !(Math.max(Math.abs(a), Math.abs(b)) > FLOAT32_MAX);
  const out = fitsFloat32 ? new Float32Array(data.length) : new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + inter;
  return out;
}

/** Voxels that are NaN or ±Infinity. */
export function countNonFinite(data: VoxelArray): number {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return 0;
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) n++;
  return n;
}
