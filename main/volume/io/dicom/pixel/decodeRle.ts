/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header with up to 15 segment offsets, each segment
 * one byte-plane (most significant byte first, sample by sample) compressed with PackBits.
 * Output: little-endian bytes, samples interleaved per pixel, ready to view as a typed array.
 */
export function decodeRle(frame: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): Uint8Array {
  if (frame.length < 64) throw new Error(`RLE frame too short (${frame.length} bytes, header needs 64)`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSegments = view.getUint32(0, true);
  const bytesPerSample = Math.ceil(bitsAllocated / 8);
  const expected = samplesPerPixel * bytesPerSample;
  if (nSegments !== expected) throw new Error(`RLE frame has ${nSegments} segments, expected ${expected} (${samplesPerPixel} samples × ${bytesPerSample} bytes)`);
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expected);
  for (let seg = 0; seg < nSegments; seg++) {
    const start = view.getUint32(4 + seg * 4, true);
    const end = seg + 1 < nSegments ? view.getUint32(8 + seg * 4, true) : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) throw new Error(`RLE segment ${seg + 1} offset ${start} is outside the frame (${frame.length} bytes)`);
    const sample = Math.floor(seg / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (seg % bytesPerSample); // segment 0 = most significant byte
    const stride = expected;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (frame[i++] << 24) >> 24;
      if (n >= 0) {
        const count = Math.min(n + 1, pixels - written, end - i);
        for (let c = 0; c < count; c++) {
          out[o] = frame[i++];
          o += stride;
        }
        written += count;
        if (count < n + 1 && written < pixels) break;
      } else if (n !== -128) {
        const count = Math.min(1 - n, pixels - written);
        const v = frame[i++];
        for (let c = 0; c < count; c++) {
          out[o] = v;
          o += stride;
        }
        written += count;
      }
    }
    if (written < pixels) throw new Error(`RLE segment ${seg + 1} decodes to ${written} of ${pixels} pixels (truncated or corrupt)`);
  }
  return out;
}
