import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileInChunks } from './readFileInChunks';

const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-chunks-'));

describe('readFileInChunks', () => {
  it('returns the whole file and reports each chunk as it lands', async () => {
    const file = path.join(dir, 'a.bin');
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 251);
    writeFileSync(file, data);
    const seen: number[] = [];
    const out = await readFileInChunks(file, (bytes, filled) => {
      expect([...bytes.subarray(0, filled)]).toEqual([...data.subarray(0, filled)]);
      seen.push(filled);
    }, 300);
    expect([...out]).toEqual([...data]);
    expect(seen).toEqual([300, 600, 900, 1000]);
  });

  it('an empty file is an empty buffer; a missing one fails with ENOENT', async () => {
    const file = path.join(dir, 'empty.bin');
    writeFileSync(file, new Uint8Array(0));
    expect((await readFileInChunks(file, () => {})).length).toBe(0);
    await expect(readFileInChunks(path.join(dir, 'nope.bin'), () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
