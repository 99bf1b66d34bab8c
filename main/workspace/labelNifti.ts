/**
 * Label versions on disk: uint8 NIfTI-1 (.nii.gz) on the case's source grid, so any tool
 * (Slicer, ITK-SNAP, nibabel) opens them. Encoding is pure; reading goes through the shared
 * NIfTI reader (main/volume/io/nifti/readNifti). Switch to engineer V's writeNifti once it exists.
 */
import { gzipSync } from 'node:zlib';
import type { Mat4, Vec3 } from '../volume/Volume';

const HEADER_SIZE = 348;
const VOX_OFFSET = 352;

/** Encode a uint8 label map (i fastest) with its RAS+ row-major affine as NIfTI-1 bytes (gzipped). */
export function encodeLabelNifti(labels: Uint8Array, dims: Vec3, affine: Mat4 | ArrayLike<number>, opts: { gzipLevel?: number; description?: string } = {}): Uint8Array {
  return encodeNifti(labels, dims, affine, opts);
}

/** Same for uint8 or int16 scans (the demo phantom is written with it). */
export function encodeNifti(data: Uint8Array | Int16Array, dims: Vec3, affine: Mat4 | ArrayLike<number>, opts: { gzipLevel?: number; description?: string } = {}): Uint8Array {
  const n = dims[0] * dims[1] * dims[2];
  if (data.length !== n) throw new Error(`label map has ${data.length} voxels, grid ${dims.join('x')} needs ${n}`);
  if (affine.length !== 16) throw new Error('affine must have 16 numbers');
  const bpv = data.BYTES_PER_ELEMENT;
  const buf = new ArrayBuffer(VOX_OFFSET + n * bpv);
  const dv = new DataView(buf);
  const u8 = new Uint8Array(buf);
  dv.setInt32(0, HEADER_SIZE, true);
  // dim
  dv.setInt16(40, 3, true);
  dv.setInt16(42, dims[0], true);
  dv.setInt16(44, dims[1], true);
  dv.setInt16(46, dims[2], true);
  for (let d = 4; d <= 7; d++) dv.setInt16(40 + 2 * d, 1, true);
  dv.setInt16(70, bpv === 1 ? 2 : 4, true); // datatype DT_UINT8 / DT_INT16
  dv.setInt16(72, 8 * bpv, true); // bitpix
  // pixdim: qfac then voxel sizes (column norms of the affine)
  dv.setFloat32(76, 1, true);
  for (let c = 0; c < 3; c++) {
    const s = Math.hypot(affine[c], affine[4 + c], affine[8 + c]);
    dv.setFloat32(80 + 4 * c, s, true);
  }
  dv.setFloat32(108, VOX_OFFSET, true); // vox_offset
  dv.setFloat32(112, 1, true); // scl_slope
  dv.setFloat32(116, 0, true); // scl_inter
  dv.setUint8(123, 2 | 8); // xyzt_units: mm, s
  const descrip = (opts.description ?? 'Med3D Workstation label').slice(0, 79);
  for (let i = 0; i < descrip.length; i++) u8[148 + i] = descrip.charCodeAt(i) & 0x7f;
  dv.setInt16(252, 0, true); // qform_code: unknown (sform carries the geometry exactly)
  dv.setInt16(254, 2, true); // sform_code: aligned anatomical
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) dv.setFloat32(280 + 16 * r + 4 * c, affine[4 * r + c], true);
  u8.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  // Little-endian hosts only (every platform Electron ships on).
  u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), VOX_OFFSET);
  return new Uint8Array(gzipSync(u8, { level: opts.gzipLevel ?? 6 }));
}
