import { promises as fs } from 'node:fs';

/** 16 MiB: few enough reads for a 150 MB scan, small enough that the first arrives early. */
const CHUNK_BYTES = 16 << 20;

/**
 * Read a whole file into one buffer, chunk by chunk, calling `onBytes(bytes, filled)` after each chunk
 * with the first `filled` bytes in place. The next chunk is already being read (on libuv's thread
 * pool) while `onBytes` runs, so work on the bytes that have arrived overlaps the read of the rest.
 */
export async function readFileInChunks(file: string, onBytes: (bytes: Uint8Array, filled: number) => void, chunkBytes = CHUNK_BYTES): Promise<Uint8Array> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    // Not zero-filled: every byte returned is read from the file.
    const buf = Buffer.allocUnsafeSlow(size);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, size);
    const readAt = (pos: number): Promise<{ bytesRead: number }> => fh.read(buf, pos, Math.min(chunkBytes, size - pos), pos);
    let filled = 0;
    let pending = size > 0 ? readAt(0) : null;
    while (pending) {
      const { bytesRead } = await pending;
      filled += bytesRead;
      pending = bytesRead > 0 && filled < size ? readAt(filled) : null;
      onBytes(bytes, filled);
    }
    // A file that shrank while being read: only what was read.
    return filled < size ? bytes.subarray(0, filled) : bytes;
  } finally {
    await fh.close();
  }
}
