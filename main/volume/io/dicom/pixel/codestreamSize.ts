/**
 * Image size a compressed frame declares in its own header, read without decoding: the JPEG / JPEG-LS
 * frame header (SOFn, SOF55) or the JPEG 2000 / HTJ2K SIZ marker. Decoders allocate from these
 * numbers, so a frame whose codestream claims far more pixels than the DICOM header is refused
 * before it reaches a decoder. undefined when the stream has no recognisable header.
 */
export function codestreamSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 4 || b[0] !== 0xff) return undefined;
  if (b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) {
    // SOC, SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz (big-endian).
    if (b.length < 24) return undefined;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { width: dv.getUint32(8) - dv.getUint32(16), height: dv.getUint32(12) - dv.getUint32(20) };
  }
  if (b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 <= b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1]!;
    if (m === 0xff || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += m === 0xff ? 1 : 2;
      continue;
    }
    if ((m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7) {
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
    }
    if (m === 0xda || m === 0xd9) return undefined;
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return undefined;
}
