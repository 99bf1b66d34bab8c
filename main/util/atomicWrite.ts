import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** The part of a FileHandle that atomicWriteFile uses; tests inject short or failing writes through it. */
export interface WritableHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AtomicWriteOptions {
  /**
   * Never replace an existing target: fail with EEXIST instead (label and model-version files,
   * which are written once). The new file appears whole or not at all, like a plain atomic write.
   */
  noReplace?: boolean;
  /**
   * fsync the file and its folder (default true). Off only for files worth nothing after a power
   * loss (lock files): atomicity against a killed process does not need it.
   */
  sync?: boolean;
  /** Opens the temp file for writing (default: create-exclusive). A seam for fault injection. */
  openTemp?: (file: string) => Promise<WritableHandle>;
}

/** Temp-file names are `.<target name>.<pid>.<random>.tmp`, so a sweep can tell whose they are. */
export const TEMP_FILE_PATTERN = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function chunksOf(data: string | Uint8Array | Iterable<Uint8Array>): Iterable<Uint8Array> {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (data instanceof Uint8Array) return [data];
  return data;
}

/**
 * Write every byte of `chunk` at `position`. A write may store fewer bytes than asked (a full disk,
 * a signal, a network filesystem); looping is what turns that into either all bytes or an error.
 */
async function writeFully(fh: WritableHandle, chunk: Uint8Array, position: number, file: string): Promise<number> {
  let done = 0;
  while (done < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, position + done);
    // Zero progress would loop forever; the OS reports a full disk this way on some filesystems.
    if (!(bytesWritten > 0)) throw Object.assign(new Error(`no space left: wrote ${position + done} bytes of ${file}, then the disk accepted no more`), { code: 'ENOSPC' });
    done += bytesWritten;
  }
  return done;
}

/** An error that names the file being written and keeps the system error code (ENOSPC, EEXIST...). */
function writeError(target: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const msg = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`cannot write ${target}: ${msg}`, { cause: err }), code ? { code } : {});
}

/** Move the finished temp file to `target` without ever replacing an existing file. */
async function publishNoReplace(tmp: string, target: string): Promise<void> {
  try {
    // link() fails with EEXIST when the target exists: create-without-replace in one step.
    await fs.link(tmp, target);
    await fs.rm(tmp, { force: true });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw err;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
  }
  // Filesystems without hard links (FAT, some network shares): claim the name exclusively, then
  // rename the complete temp file over our own empty claim.
  await (await fs.open(target, 'wx')).close();
  await fs.rename(tmp, target);
}

/**
 * Write a file so that readers only ever see the old or the new content, never a torn one:
 * write a temp file in the same folder (every byte, or an error), fsync it, rename over the
 * target (or link it, with noReplace), fsync the folder. A failed write removes the temp file and
 * throws an error naming the target; nothing is committed. Every label, checkpoint and manifest goes through here.
 */
export async function atomicWriteFile(target: string, data: string | Uint8Array | Iterable<Uint8Array>, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempPathFor(target);
  const fh = await (opts.openTemp ?? ((f: string) => fs.open(f, 'wx')))(tmp).catch((err: unknown) => {
    throw writeError(target, err);
  });
  try {
    let position = 0;
    for (const chunk of chunksOf(data)) position += await writeFully(fh, chunk, position, target);
    if (opts.sync !== false) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw writeError(target, err);
  }
  try {
    await fh.close();
    if (opts.noReplace) await publishNoReplace(tmp, target);
    else await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw writeError(target, err);
  }
  // Persist the rename itself; not supported on every platform (Windows), hence best effort.
  if (opts.sync === false) return;
  try {
    const dh = await fs.open(dir, 'r');
    await dh.sync().catch(() => undefined);
    await dh.close();
  } catch {
    /* directory fsync unsupported */
  }
}

export async function atomicWriteJson(target: string, value: unknown): Promise<void> {
  await atomicWriteFile(target, `${JSON.stringify(value, null, 2)}\n`);
}
