import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { atomicWriteFile, TEMP_FILE_PATTERN, type WritableHandle } from './atomicWrite';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'med3d-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * A real temp file whose writes misbehave like a filling disk: each call stores at most `maxPerCall`
 * bytes, and once `capacity` bytes are stored it stores nothing (`onFull: 'zero'`) or fails with ENOSPC.
 */
function faultyOpen(maxPerCall: number, capacity = Infinity, onFull: 'zero' | 'enospc' = 'enospc', failSync = false) {
  return async (file: string): Promise<WritableHandle> => {
    const fh = await fs.open(file, 'wx');
    let stored = 0;
    return {
      async write(buf, offset, length, position) {
        const room = capacity - stored;
        if (room <= 0) {
          if (onFull === 'zero') return { bytesWritten: 0 };
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        const n = Math.min(length, maxPerCall, room);
        const r = await fh.write(buf, offset, n, position);
        stored += r.bytesWritten;
        return { bytesWritten: r.bytesWritten };
      },
      sync: () => (failSync ? Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) : fh.sync()),
      close: () => fh.close(),
    };
  };
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 255);

async function leftovers(): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => TEMP_FILE_PATTERN.test(f));
}

describe('atomicWriteFile', () => {
  it('loops on short writes: a list of chunks arrives whole', async () => {
    const target = path.join(dir, 'ckpt.m3d');
    const chunks = [bytes(1000, 1), bytes(0, 0), bytes(4097, 2), bytes(7, 3)];
    await atomicWriteFile(target, chunks, { openTemp: faultyOpen(333) });
    expect(Buffer.compare(await fs.readFile(target), Buffer.concat(chunks))).toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it('loops on short writes for a single buffer and a string', async () => {
    const a = path.join(dir, 'a.bin');
    await atomicWriteFile(a, bytes(5000, 9), { openTemp: faultyOpen(64) });
    expect(Buffer.compare(await fs.readFile(a), Buffer.from(bytes(5000, 9)))).toBe(0);
    const s = path.join(dir, 's.json');
    await atomicWriteFile(s, 'é'.repeat(300), { openTemp: faultyOpen(5) });
    expect(await fs.readFile(s, 'utf8')).toBe('é'.repeat(300));
  });

  for (const onFull of ['enospc', 'zero'] as const) {
    it(`a full disk (${onFull === 'zero' ? 'writes storing 0 bytes' : 'ENOSPC'}) throws naming the file and commits nothing`, async () => {
      const target = path.join(dir, 'label.nii.gz');
      await fs.writeFile(target, 'previous version');
      const err = await atomicWriteFile(target, [bytes(3000, 1), bytes(3000, 2)], { openTemp: faultyOpen(1000, 4500, onFull) }).catch((e: unknown) => e as NodeJS.ErrnoException);
      expect(err).toBeInstanceOf(Error);
      expect(err?.message).toContain(`cannot write ${target}`);
      expect(err?.code).toBe('ENOSPC');
      expect(await fs.readFile(target, 'utf8')).toBe('previous version');
      expect(await leftovers()).toEqual([]);
    });
  }

  it('a failed fsync commits nothing and leaves no new file', async () => {
    const target = path.join(dir, 'new.bin');
    await expect(atomicWriteFile(target, bytes(10, 1), { openTemp: faultyOpen(1 << 20, Infinity, 'enospc', true) })).rejects.toThrow(/cannot write .*new\.bin: EIO/);
    await expect(fs.stat(target)).rejects.toThrow(/ENOENT/);
    expect(await leftovers()).toEqual([]);
  });

  it('noReplace creates the file once and refuses to overwrite it', async () => {
    const target = path.join(dir, 'v0001.nii.gz');
    await atomicWriteFile(target, 'first', { noReplace: true });
    const err = await atomicWriteFile(target, 'second', { noReplace: true }).catch((e: unknown) => e as NodeJS.ErrnoException);
    expect(err?.code).toBe('EEXIST');
    expect(await fs.readFile(target, 'utf8')).toBe('first');
    expect(await leftovers()).toEqual([]);
  });
});
