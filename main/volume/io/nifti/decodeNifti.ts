import * as nifti from 'nifti-reader-js';
import { describeCause } from '../../../util/readerErrorMessage';
import { checkLimit } from '../../../util/readLimits';
import type { Mat4 } from '../../Volume';
import { bestAffine, type AffineSource, type NiftiGeometryFields } from './niftiAffine';
import { niftiDatatype, type NiftiDatatype } from './niftiDatatypes';

/**
 * A decoded NIfTI-1/NIfTI-2 file before it becomes a Volume: header facts, geometry and the
 * stored voxel bytes (all volumes, native byte order). Pure: works on buffers, no file access.
 */
export interface NiftiImage {
  version: 1 | 2;
  /** 'n+1' | 'ni1' | 'n+2' | 'ni2' */
  magic: string;
  littleEndian: boolean;
  datatype: NiftiDatatype;
  /** dim[1..dim[0]] (the array shape as nibabel reports it). */
  shape: number[];
  pixdim: number[];
  /** Effective scaling as nibabel applies it: null when scl_slope is 0, NaN or infinite (= unscaled). */
  scaling: { slope: number; inter: number } | null;
  rawScaling: { slope: number; inter: number };
  qformCode: number;
  sformCode: number;
  affine: Mat4;
  affineSource: AffineSource;
  geometry: NiftiGeometryFields;
  xyztUnits: number;
  intentCode: number;
  description: string;
  /** Stored voxel bytes for all volumes, in native (little-endian) order. */
  bytes: Uint8Array;
}

const NOT_NIFTI = 'not a NIfTI file (sizeof_hdr is neither 348 nor 540)';
const SIZEOF_HDR_1 = 348;
const SIZEOF_HDR_2 = 540;

/** Detects which NIfTI header (if any) starts the buffer. */
export function niftiHeaderKind(hdr: Uint8Array): { version: 1 | 2; littleEndian: boolean } | null {
  if (hdr.length < 4) return null;
  const dv = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
  for (const le of [true, false]) {
    const n = dv.getInt32(0, le);
    if (n === SIZEOF_HDR_1) return { version: 1, littleEndian: le };
    if (n === SIZEOF_HDR_2) return { version: 2, littleEndian: le };
  }
  return null;
}

/** Most bytes a pair's .hdr file may inflate to (header plus any extensions, which we skip). */
const MAX_HEADER_SPAN = 1 << 26;

/**
 * How many bytes a (possibly compressed) NIfTI part can need, from its first bytes: the header and
 * extensions for a pair's .hdr, vox_offset plus the declared voxel bytes for a single file or a pair's
 * .img (`header` = the pair's decoded header). undefined until enough bytes are there to tell.
 * Used to stop decompression at what the header describes (gunzipCapped).
 */
export function niftiContentCap(part: 'single' | 'header' | 'image', header?: Uint8Array): (prefix: Uint8Array) => number | undefined {
  return (prefix) => {
    if (part === 'header') return MAX_HEADER_SPAN;
    const hdr = part === 'image' ? header : prefix;
    if (!hdr) return undefined;
    const kind = niftiHeaderKind(hdr);
    if (!kind) {
      if (hdr.length < 4) return undefined;
      throw new Error(NOT_NIFTI);
    }
    const hdrLen = kind.version === 1 ? SIZEOF_HDR_1 : SIZEOF_HDR_2;
    if (hdr.length < hdrLen) return undefined;
    const f = headerFields(hdr, kind.version, kind.littleEndian);
    if (f.voxels >= 0) checkLimit('maxVoxels', f.voxels, 'image of the declared dimensions');
    if (f.dataBytes >= 0) checkLimit('maxVolumeBytes', f.dataBytes, 'voxel data of the declared dimensions');
    const voxOffset = part === 'image' ? Math.max(0, f.voxOffset) : Math.max(hdrLen + 4, f.voxOffset);
    const bytes = Number.isFinite(voxOffset) ? Math.floor(voxOffset) + f.dataBytes : NaN;
    // Inconsistent fields: decodeNifti names them; the header (and for a pair nothing) is all it needs.
    if (!Number.isSafeInteger(bytes) || bytes < 0) return part === 'single' ? hdrLen + 4 : 0;
    return bytes;
  };
}

/** The few raw header fields that sizing (and reading the voxels as they arrive) needs, read without the full parser. */
export interface NiftiRawFields {
  voxOffset: number;
  voxels: number;
  dataBytes: number;
  datatypeCode: number;
  /** Product of dim[4..dim[0]]: how many 3D volumes the file holds (NaN when dims are invalid). */
  volumes: number;
  sclSlope: number;
  sclInter: number;
}

export function headerFields(hdr: Uint8Array, version: 1 | 2, le: boolean): NiftiRawFields {
  const dv = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
  const v2 = version === 2;
  const voxOffset = v2 ? Number(dv.getBigInt64(168, le)) : dv.getFloat32(108, le);
  const ndim = v2 ? Number(dv.getBigInt64(16, le)) : dv.getInt16(40, le);
  const bitpix = v2 ? dv.getInt16(14, le) : dv.getInt16(72, le);
  let voxels = ndim >= 1 && ndim <= 7 ? 1 : NaN;
  let volumes = voxels;
  for (let i = 1; i <= ndim && i <= 7; i++) {
    const d = v2 ? Number(dv.getBigInt64(16 + 8 * i, le)) : dv.getInt16(40 + 2 * i, le);
    voxels *= d;
    if (i > 3) volumes *= d;
  }
  return {
    voxOffset,
    voxels,
    dataBytes: bitpix > 0 && voxels >= 0 ? (voxels * bitpix) / 8 : NaN,
    datatypeCode: v2 ? dv.getInt16(12, le) : dv.getInt16(70, le),
    volumes,
    sclSlope: v2 ? dv.getFloat64(176, le) : dv.getFloat32(112, le),
    sclInter: v2 ? dv.getFloat64(184, le) : dv.getFloat32(116, le),
  };
}

function toArrayBuffer(u8: Uint8Array, len = u8.byteLength): ArrayBuffer {
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + Math.min(len, u8.byteLength)) as ArrayBuffer;
}

/**
 * Decode a NIfTI header plus image bytes. `header` holds the header (and, for single files, the data);
 * `imageFile` is the separate .img contents of a pair (already decompressed).
 * Throws plain Errors with the cause; the caller adds the file name.
 */
export function decodeNifti(header: Uint8Array, imageFile?: Uint8Array): NiftiImage {
  const kind = niftiHeaderKind(header);
  if (!kind) throw new Error(NOT_NIFTI);
  const hdrLen = kind.version === 1 ? SIZEOF_HDR_1 : SIZEOF_HDR_2;
  if (header.length < hdrLen) throw new Error(`truncated NIfTI-${kind.version} header (${header.length} of ${hdrLen} bytes)`);
  // The parser gets the header only: we do not use extensions, and its extension walk trusts sizes
  // from the file (a negative size loops forever).
  const ab = toArrayBuffer(header, hdrLen);
  if (!nifti.isNIFTI(ab, true)) {
    throw new Error(
      kind.version === 1
        ? 'header has no NIfTI magic (Analyze 7.5 or corrupt header); Analyze files are not supported'
        : 'NIfTI-2 header has an invalid magic string',
    );
  }
  let h: nifti.NIFTI1 | nifti.NIFTI2;
  try {
    h = nifti.readHeader(ab, true);
  } catch (err) {
    throw new Error(`corrupt NIfTI header (${describeCause(err)})`);
  }
  const dv = new DataView(ab);
  const le = h.littleEndian;
  const v2 = kind.version === 2;
  const magic = v2 ? String(h.magic).slice(0, 3) : String(h.magic).replace(/\0.*$/, '');
  const isPair = magic === 'ni1' || magic === 'ni2';

  const dims = Array.from(h.dims, Number);
  const ndim = dims[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new Error(`invalid dim[0] = ${ndim} (must be 1..7)`);
  const shape = dims.slice(1, ndim + 1);
  for (let i = 0; i < shape.length; i++)
    if (!(shape[i] >= 1)) throw new Error(`invalid dim[${i + 1}] = ${shape[i]} (image has no voxels along that axis)`);

  const dt = niftiDatatype(h.datatypeCode);
  if (!dt) throw new Error(`unknown NIfTI datatype code ${h.datatypeCode}`);
  if (!dt.supported) throw new Error(`NIfTI datatype ${dt.name} (code ${dt.code}) is not supported`);
  if (h.numBitsPerVoxel !== dt.bytes * 8)
    throw new Error(`bitpix ${h.numBitsPerVoxel} does not match datatype ${dt.name} (${dt.bytes * 8} bits)`);

  const srowBase = v2 ? 400 : 280;
  const fsize = v2 ? 8 : 4;
  const read = (off: number): number => (v2 ? dv.getFloat64(off, le) : dv.getFloat32(off, le));
  const srow = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => read(srowBase + (r * 4 + c) * fsize)));
  const pixdim = Array.from(h.pixDims, Number);
  const geometry: NiftiGeometryFields = {
    dims,
    pixdim,
    qformCode: h.qform_code,
    sformCode: h.sform_code,
    quatern: [h.quatern_b, h.quatern_c, h.quatern_d],
    qoffset: [h.qoffset_x, h.qoffset_y, h.qoffset_z],
    srow,
  };
  const { affine, source } = bestAffine(geometry);
  for (let i = 0; i < 12; i++) if (!Number.isFinite(affine[i])) throw new Error(`${source} affine has non-finite values`);

  const slope = h.scl_slope;
  const inter = h.scl_inter;
  let scaling: NiftiImage['scaling'] = null;
  if (Number.isFinite(slope) && slope !== 0) {
    // nibabel: a non-finite intercept with a valid slope is an error in the header.
    if (!Number.isFinite(inter)) throw new Error(`scl_inter is ${inter} while scl_slope is ${slope}`);
    scaling = { slope, inter };
  }

  // Data location. vox_offset is checked, never clamped: a wrong offset would read the header or
  // random bytes as voxels.
  const voxOffset = h.vox_offset;
  let count = 1;
  for (const s of shape) count *= s;
  checkLimit('maxVoxels', count, `image of ${shape.join('x')} voxels`);
  const need = count * dt.bytes;
  checkLimit('maxVolumeBytes', need, `image of ${shape.join('x')} ${dt.name} voxels`);
  let data: Uint8Array;
  if (isPair) {
    if (!imageFile) throw new Error('header belongs to a .hdr/.img pair but no image file was given');
    data = imageFile;
    if (!(Number.isFinite(voxOffset) && voxOffset >= 0)) throw new Error(`invalid vox_offset ${voxOffset} (must be 0 or more for a .hdr/.img pair)`);
  } else {
    data = header;
    if (!(Number.isFinite(voxOffset) && voxOffset >= hdrLen + 4)) {
      throw new Error(`invalid vox_offset ${voxOffset}: a single-file NIfTI-${kind.version} stores its voxels at byte ${hdrLen + 4} or later`);
    }
  }
  const offset = Math.floor(voxOffset);
  if (offset > data.length) throw new Error(`vox_offset ${voxOffset} is beyond the end of the ${isPair ? 'image ' : ''}file (${data.length} bytes)`);
  if (data.length < offset + need)
    throw new Error(
      `truncated image data: expected ${need} bytes at offset ${offset}, found ${Math.max(0, data.length - offset)}`,
    );
  let bytes = data.subarray(offset, offset + need);
  if (!le && dt.swapBytes > 1) bytes = swapInPlace(bytes.slice(), dt.swapBytes);

  return {
    version: kind.version,
    magic,
    littleEndian: le,
    datatype: dt,
    shape,
    pixdim,
    scaling,
    rawScaling: { slope, inter },
    qformCode: h.qform_code,
    sformCode: h.sform_code,
    affine,
    affineSource: source,
    geometry,
    xyztUnits: h.xyzt_units,
    intentCode: h.intent_code,
    description: String(h.description ?? '').replace(/\0.*$/, ''),
    bytes,
  };
}

/** Reverse byte order of each `size`-byte scalar in place. */
export function swapInPlace(b: Uint8Array, size: number): Uint8Array {
  if (size === 2) {
    for (let i = 0; i + 1 < b.length; i += 2) {
      const t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t;
    }
    return b;
  }
  for (let i = 0; i + size <= b.length; i += size) {
    for (let a = i, z = i + size - 1; a < z; a++, z--) {
      const t = b[a];
      b[a] = b[z];
      b[z] = t;
    }
  }
  return b;
}
