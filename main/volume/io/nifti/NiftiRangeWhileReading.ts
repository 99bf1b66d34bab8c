import type { VoxelArray } from '../../Volume';
import { valueRange, type ValueRange } from '../../valueRange';
import { headerFields, niftiHeaderKind } from './decodeNifti';
import { isGzip } from './gzip';
import { niftiDatatype } from './niftiDatatypes';

/** Datatypes whose stored values are the Volume's values as they are (no conversion, no copy). */
const AS_STORED: Record<string, new (b: ArrayBuffer, offset: number, length: number) => VoxelArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * Min/max of a single-file NIfTI's voxels, computed on each chunk as it arrives (readFileInChunks, or
 * gunzipCapped for a .nii.gz): the loop over the voxels then overlaps the read or the inflation of the
 * rest of the file (both run on libuv's thread pool), and opening a big scan pays for one, not both.
 * Only where the voxels reach the Volume exactly as stored (little-endian, one 3D volume, no scaling,
 * a plain numeric type, aligned); anything else is left to valueRange.
 */
export class NiftiRangeWhileReading {
  private view: VoxelArray | null = null;
  private skip = false;
  private seen = 0;
  private min = Infinity;
  private max = -Infinity;

  /** readFileInChunks' callback: `filled` bytes of `bytes` have arrived. */
  readonly onBytes = (bytes: Uint8Array, filled: number): void => {
    if (this.skip || (!this.view && !this.start(bytes, filled))) return;
    const view = this.view!;
    const arrived = Math.floor((filled - (view.byteOffset - bytes.byteOffset)) / view.BYTES_PER_ELEMENT);
    const upto = Math.min(view.length, arrived);
    if (upto <= this.seen) return;
    const r = valueRange(view.subarray(this.seen, upto));
    if (r.min < this.min) this.min = r.min;
    if (r.max > this.max) this.max = r.max;
    this.seen = upto;
  };

  /** The range of `data` when it is exactly the voxels watched, all of them; else null. */
  rangeOf(data: VoxelArray): ValueRange | null {
    const v = this.view;
    if (!v || this.seen !== v.length || data.length !== v.length || data.buffer !== v.buffer || data.byteOffset !== v.byteOffset) return null;
    if (data.constructor !== v.constructor) return null;
    return { min: this.min, max: this.max };
  }

  /** Decide from the header (once it has arrived) whether the voxels can be watched. */
  private start(bytes: Uint8Array, filled: number): boolean {
    if (filled < 4) return false;
    if (isGzip(bytes)) return false; // the inflated content comes next (gunzipCapped's onBytes)
    const kind = niftiHeaderKind(bytes.subarray(0, 4));
    if (!kind || !kind.littleEndian) return !(this.skip = true); // big-endian or not NIfTI
    if (filled < (kind.version === 1 ? 348 : 540)) return false;
    this.skip = true; // decided here, once: watched from now on, or never
    const f = headerFields(bytes.subarray(0, filled), kind.version, kind.littleEndian);
    const dt = niftiDatatype(f.datatypeCode);
    const make = dt && AS_STORED[dt.name];
    // decodeNifti's rule (nibabel's): a slope of 0 or a non-finite one means unscaled.
    const unscaled = !(Number.isFinite(f.sclSlope) && f.sclSlope !== 0) || (f.sclSlope === 1 && f.sclInter === 0);
    const offset = Math.floor(f.voxOffset);
    if (!dt || !make || f.volumes !== 1 || !unscaled || !(f.voxels > 0) || !(offset > 0)) return false;
    if ((bytes.byteOffset + offset) % dt.bytes !== 0 || offset + f.voxels * dt.bytes > bytes.length) return false;
    this.view = new make(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, f.voxels);
    this.skip = false;
    return true;
  }
}
