import type { DataSet, Element } from '../parseDicomBytes';

/**
 * Split encapsulated Pixel Data into one byte string per frame. Handles a filled Basic Offset
 * Table, one fragment per frame, and frames spread over several fragments without an offset table
 * (frame starts found from codestream start markers, as pydicom and GDCM do).
 */
export function encapsulatedFrames(ds: DataSet, el: Element, numberOfFrames: number): Uint8Array[] {
  const bytes = ds.byteArray as Uint8Array;
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new Error('encapsulated Pixel Data has no fragments');
  for (const f of fragments) {
    if (f.position + f.length > bytes.length) throw new Error('encapsulated Pixel Data is truncated (a fragment runs past the end of the file)');
  }
  const frag = (i: number): Uint8Array => bytes.subarray(fragments[i].position, fragments[i].position + fragments[i].length);
  const join = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return frag(from);
    let n = 0;
    for (let i = from; i < to; i++) n += fragments[i].length;
    const out = new Uint8Array(n);
    let o = 0;
    for (let i = from; i < to; i++) {
      out.set(frag(i), o);
      o += fragments[i].length;
    }
    return out;
  };
  if (numberOfFrames === 1) return [join(0, fragments.length)];
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === numberOfFrames) {
    // Offsets are relative to the first fragment's item tag; fragment.offset uses the same origin.
    const starts = bot.map((off) => fragments.findIndex((f) => f.offset === off));
    if (starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1]))) {
      return starts.map((s, i) => join(s, i + 1 < starts.length ? starts[i + 1] : fragments.length));
    }
  }
  if (fragments.length === numberOfFrames) return fragments.map((_, i) => frag(i));
  const starts: number[] = [];
  for (let i = 0; i < fragments.length; i++) if (isCodestreamStart(frag(i))) starts.push(i);
  if (starts.length === numberOfFrames && starts[0] === 0) {
    return starts.map((s, i) => join(s, i + 1 < starts.length ? starts[i + 1] : fragments.length));
  }
  throw new Error(
    `cannot split ${fragments.length} Pixel Data fragments into ${numberOfFrames} frames (no usable Basic Offset Table, ${starts.length} codestream starts found)`,
  );
}

function isCodestreamStart(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  if (b[0] === 0xff && b[1] === 0xd8) return true; // JPEG / JPEG-LS SOI
  if (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) return true; // J2K SOC + SIZ
  if (b.length >= 8 && b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20) return true; // JP2 signature box
  return false;
}
