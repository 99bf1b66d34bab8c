import { describe, expect, it } from 'vitest';
import { decodeRle } from './decodeRle';

/** PackBits encoder (runs of ≥ 3 become replicate runs), enough to build RLE frames for tests. */
function packBits(src: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < src.length) {
    let run = 1;
    while (i + run < src.length && src[i + run] === src[i] && run < 128) run++;
    if (run >= 3) {
      out.push(257 - run, src[i]);
      i += run;
    } else {
      const start = i;
      while (i < src.length && i - start < 128 && !(i + 2 < src.length && src[i] === src[i + 1] && src[i] === src[i + 2])) i++;
      out.push(i - start - 1, ...src.slice(start, i));
    }
  }
  return out;
}

/** RLE frame: header + one PackBits segment per byte plane (MSB first, sample by sample). */
function rleFrame(values: number[], samples: number, bytesPerSample: number): Uint8Array {
  const planes: number[][] = [];
  for (let s = 0; s < samples; s++)
    for (let b = bytesPerSample - 1; b >= 0; b--) planes.push(values.filter((_, i) => i % samples === s).map((v) => (v >> (8 * b)) & 0xff));
  const segs = planes.map(packBits);
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segs.length, true);
  let off = 64;
  segs.forEach((seg, k) => {
    header.setUint32(4 + 4 * k, off, true);
    off += seg.length;
  });
  return new Uint8Array([...new Uint8Array(header.buffer), ...segs.flat()]);
}

describe('decodeRle (PS3.5 Annex G)', () => {
  it('16-bit grey: runs and literals round-trip', () => {
    const values = [0, 0, 0, 0, 1000, 1001, 65535, 65535, 65535, 7, 300, 300];
    const out = new Uint16Array(decodeRle(rleFrame(values, 1, 2), 3, 4, 1, 16).buffer);
    expect(Array.from(out)).toEqual(values);
  });

  it('8-bit RGB: segments are re-interleaved per pixel', () => {
    const values = [10, 20, 30, 10, 20, 30, 11, 21, 31, 200, 100, 0];
    expect(Array.from(decodeRle(rleFrame(values, 3, 1), 2, 2, 3, 8))).toEqual(values);
  });

  it('long runs (> 128) and long literals', () => {
    const values = [...new Array(300).fill(5), ...Array.from({ length: 200 }, (_, i) => i % 256)];
    expect(Array.from(decodeRle(rleFrame(values, 1, 1), 20, 25, 1, 8))).toEqual(values);
  });

  it('wrong segment count and truncated segments are errors', () => {
    const f = rleFrame([1, 2, 3, 4], 1, 2);
    expect(() => decodeRle(f, 2, 2, 1, 8)).toThrow(/2 segments, expected 1/);
    expect(() => decodeRle(f.subarray(0, f.length - 3), 2, 2, 1, 16)).toThrow(/decodes to \d of 4 pixels/);
    expect(() => decodeRle(new Uint8Array(10), 2, 2, 1, 8)).toThrow(/too short/);
  });
});
