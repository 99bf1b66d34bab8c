import type { LabelMap, Mat4, Volume, VoxelArray } from '../../Volume';
import { spacingFromAffine } from '../../geometry/affine';
import { orthogonalize3 } from '../../geometry/orientation';
import { niftiDatatypeByName } from './niftiDatatypes';

export type NiftiWriteDatatype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'uint32' | 'float32' | 'float64';

export interface EncodeNiftiOptions {
  /** On-disk type; default follows the data array (Uint8Array → uint8, Float32Array → float32, ...). */
  datatype?: NiftiWriteDatatype;
  /** sform_code and qform_code (1 = scanner anatomical, 2 = aligned). Default 1. */
  xformCode?: number;
  /** Header description (≤ 79 chars). */
  description?: string;
  /** NIFTI_INTENT_LABEL (1002) for label maps; default: 1002 when the volume has `labels`. */
  intentCode?: number;
}

const ARRAY_TYPE: Array<[new (n: number) => VoxelArray, NiftiWriteDatatype]> = [
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Uint16Array, 'uint16'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [Uint32Array, 'uint32'],
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
];

const RANGE: Record<string, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function defaultDatatype(data: VoxelArray): NiftiWriteDatatype {
  for (const [Ctor, name] of ARRAY_TYPE) if (data instanceof Ctor) return name;
  return 'float32';
}

/**
 * nibabel `set_qform`: zooms = column norms, qfac = -1 when the rotation is improper (third column
 * flipped), rotation orthogonalised, quaternion with a ≥ 0 stored as (b, c, d).
 */
export function qformFromAffine(affine: Mat4): { quatern: [number, number, number]; qoffset: [number, number, number]; zooms: [number, number, number]; qfac: 1 | -1 } {
  const zooms = spacingFromAffine(affine);
  const r: number[] = [];
  for (let row = 0; row < 3; row++) for (let c = 0; c < 3; c++) r.push(affine[row * 4 + c] / (zooms[c] || 1));
  const det =
    r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
  let qfac: 1 | -1 = 1;
  if (det < 0) {
    qfac = -1;
    r[2] = -r[2];
    r[5] = -r[5];
    r[8] = -r[8];
  }
  const R = orthogonalize3(r);
  // Shepperd's method: numerically stable rotation → quaternion (w, x, y, z).
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = R;
  const tr = m00 + m11 + m22;
  let w: number, x: number, y: number, z: number;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    w = 0.25 * s;
    x = (m21 - m12) / s;
    y = (m02 - m20) / s;
    z = (m10 - m01) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    w = (m21 - m12) / s;
    x = 0.25 * s;
    y = (m01 + m10) / s;
    z = (m02 + m20) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    w = (m02 - m20) / s;
    x = (m01 + m10) / s;
    y = 0.25 * s;
    z = (m12 + m21) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    w = (m10 - m01) / s;
    x = (m02 + m20) / s;
    y = (m12 + m21) / s;
    z = 0.25 * s;
  }
  if (w < 0) {
    x = -x;
    y = -y;
    z = -z;
  }
  return { quatern: [x, y, z], qoffset: [affine[3], affine[7], affine[11]], zooms, qfac };
}

function castData(data: VoxelArray, dtype: NiftiWriteDatatype, what: string): VoxelArray {
  const dt = niftiDatatypeByName(dtype)!;
  const Ctor = ARRAY_TYPE.find(([, n]) => n === dtype)![0];
  if (data instanceof Ctor) return data;
  const range = RANGE[dtype];
  const out = new Ctor(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (range) {
      const r = Math.round(v);
      if (!(r >= range[0] && r <= range[1]))
        throw new Error(`${what}: value ${v} at voxel ${i} does not fit NIfTI ${dt.name} [${range[0]}, ${range[1]}]`);
      out[i] = r;
    } else out[i] = v;
  }
  return out;
}

/** Serialise a Volume/LabelMap as an uncompressed single-file NIfTI-1 (.nii) byte array (little-endian). */
export function encodeNifti(vol: Volume | LabelMap, opts: EncodeNiftiOptions = {}): Uint8Array {
  const { header, data } = encodeNiftiParts(vol, opts);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/**
 * The two parts of a .nii file: the 352-byte header (with empty extension flag) and the voxel bytes
 * (a view on the volume's data when no type conversion is needed: no copy of a large CT).
 */
export function encodeNiftiParts(vol: Volume | LabelMap, opts: EncodeNiftiOptions = {}): { header: Uint8Array; data: Uint8Array } {
  const dtype = opts.datatype ?? defaultDatatype(vol.data);
  const dt = niftiDatatypeByName(dtype)!;
  const n = vol.dims[0] * vol.dims[1] * vol.dims[2];
  if (vol.data.length !== n) throw new Error(`data has ${vol.data.length} voxels but dims ${vol.dims.join('x')} need ${n}`);
  for (let i = 0; i < 12; i++) if (!Number.isFinite(vol.affine[i])) throw new Error('affine has non-finite values');
  const data = castData(vol.data, dtype, 'cannot write NIfTI');
  const out = new Uint8Array(352);
  const dv = new DataView(out.buffer);
  const le = true;
  dv.setInt32(0, 348, le);
  dv.setInt16(40, 3, le);
  for (let a = 0; a < 3; a++) dv.setInt16(42 + a * 2, vol.dims[a], le);
  for (let a = 3; a < 7; a++) dv.setInt16(42 + a * 2, 1, le);
  const isLabel = 'labels' in vol && Array.isArray((vol as LabelMap).labels);
  dv.setInt16(68, opts.intentCode ?? (isLabel ? 1002 : 0), le);
  dv.setInt16(70, dt.code, le);
  dv.setInt16(72, dt.bytes * 8, le);
  const q = qformFromAffine(vol.affine);
  dv.setFloat32(76, q.qfac, le);
  for (let a = 0; a < 3; a++) dv.setFloat32(80 + a * 4, q.zooms[a], le);
  for (let a = 3; a < 7; a++) dv.setFloat32(80 + a * 4, 1, le);
  dv.setFloat32(108, 352, le); // vox_offset
  dv.setFloat32(112, 1, le); // scl_slope
  dv.setFloat32(116, 0, le); // scl_inter
  dv.setUint8(123, 10); // xyzt_units: mm + s
  if (isLabel) {
    let max = 0;
    for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
    dv.setFloat32(124, max, le); // cal_max
  }
  const desc = (opts.description ?? 'Med3D Workstation').slice(0, 79);
  for (let i = 0; i < desc.length; i++) out[148 + i] = desc.charCodeAt(i) & 0x7f;
  const code = opts.xformCode ?? 1;
  dv.setInt16(252, code, le); // qform_code
  dv.setInt16(254, code, le); // sform_code
  for (let a = 0; a < 3; a++) dv.setFloat32(256 + a * 4, q.quatern[a], le);
  for (let a = 0; a < 3; a++) dv.setFloat32(268 + a * 4, q.qoffset[a], le);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) dv.setFloat32(280 + (r * 4 + c) * 4, vol.affine[r * 4 + c], le);
  out[344] = 0x6e; // 'n+1\0'
  out[345] = 0x2b;
  out[346] = 0x31;
  // bytes 348..351: no extensions
  return { header: out, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
