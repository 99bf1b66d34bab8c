import { gunzip, gzip } from 'node:zlib';

/** gzip on libuv's thread pool, so large label maps never block the event loop while compressing. */
export function gzipAsync(bytes: Uint8Array, level = 6): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    gzip(bytes, { level, chunkSize: 1 << 20 }, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength))));
  });
}

export function gunzipAsync(bytes: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    gunzip(bytes, { chunkSize: 1 << 20 }, (err, out) => (err ? reject(err) : resolve(new Uint8Array(out.buffer, out.byteOffset, out.byteLength))));
  });
}
