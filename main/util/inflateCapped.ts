import { inflateRawSync, inflateSync } from 'node:zlib';

/**
 * Inflate a deflate stream (raw, or zlib-wrapped with `zlib: true`) without ever producing more than
 * `maxBytes`: zlib stops as soon as the output passes the cap, so a bomb costs at most the cap, never
 * its full expansion. Throws a one-line Error starting with `what` ("zip record 'x'", "deflated frame").
 */
export function inflateCapped(data: Uint8Array, maxBytes: number, what: string, opts: { zlib?: boolean } = {}): Uint8Array {
  try {
    const inflate = opts.zlib ? inflateSync : inflateRawSync;
    const out = inflate(data, { maxOutputLength: Math.max(1, maxBytes), chunkSize: 1 << 20 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${what} inflates to more than ${maxBytes} bytes`);
    if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) throw new Error(`${what} is truncated (deflate stream ends early)`);
    throw new Error(`${what} does not inflate (corrupt deflate stream)`);
  }
}
