import { describe, expect, it, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import type { StateDict, StateTensor } from '../nn/StateDict';
import { readPth } from './readPth';
import { writePth } from './writePth';
import { readZipDirectory } from './zip/readZip';

const dir = mkdtempSync(path.join(os.tmpdir(), 'writepth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mixed(): StateDict {
  return new Map<string, StateTensor>([
    ['conv1.weight', { dtype: 'float32', shape: [2, 1, 3, 3, 3], data: Float32Array.from({ length: 54 }, (_, i) => Math.sin(i) * 1e3) }],
    ['bn1.num_batches_tracked', { dtype: 'int64', shape: [], data: new BigInt64Array([-(2n ** 40n)]) }],
    ['x.double', { dtype: 'float64', shape: [3], data: new Float64Array([Math.PI, -0, 1e-310]) }],
    ['x.int', { dtype: 'int32', shape: [2, 2], data: new Int32Array([1, -2, 3, 2 ** 31 - 1]) }],
    ['x.byte', { dtype: 'uint8', shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) }],
    ['x.bool', { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) }],
    ['x.half', { dtype: 'float16', shape: [3], data: new Uint16Array([0x3c00, 0xc000, 0x7bff]) }],
    ['x.empty', { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) }],
  ]);
}
const bytesOf = (t: StateTensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
const sha = (t: StateTensor): string => createHash('sha256').update(bytesOf(t)).digest('hex');

describe('writePth', () => {
  it('round-trips through readPth exactly, every dtype and 0-dim / empty tensors', async () => {
    const file = path.join(dir, 'mixed.pth');
    const sd = mixed();
    await writePth(file, sd);
    const back = await readPth(file);
    expect(back.format).toBe('zip');
    expect(back.topLevelKeys).toEqual(['state_dict']);
    expect([...back.stateDict.keys()]).toEqual([...sd.keys()]);
    for (const [k, t] of sd) {
      const b = back.stateDict.get(k)!;
      expect({ dtype: b.dtype, shape: b.shape }, k).toEqual({ dtype: t.dtype, shape: t.shape });
      expect(Buffer.from(bytesOf(b)).equals(Buffer.from(bytesOf(t))), k).toBe(true);
    }
  });

  it("lays records out like torch.save: '<name>/' root, data.pkl first, 64-byte aligned data, version '3'", async () => {
    const file = path.join(dir, 'layout.pth');
    await writePth(file, mixed());
    const bytes = readFileSync(file);
    const entries = [...readZipDirectory(bytes).values()];
    expect(entries[0]!.name).toBe('layout/data.pkl');
    expect(entries.at(-1)!.name).toBe('layout/version');
    for (const e of entries) {
      const start = e.localHeaderOffset + 30 + bytes.readUInt16LE(e.localHeaderOffset + 26) + bytes.readUInt16LE(e.localHeaderOffset + 28);
      expect(start % 64, e.name).toBe(0);
      expect(e.method).toBe(0);
    }
  });

  it('bare state dict without prefix', async () => {
    const file = path.join(dir, 'bare.pth');
    await writePth(file, mixed(), { wrap: false, prefix: '' });
    const back = await readPth(file);
    expect(back.topLevelKeys).toEqual([]);
    expect(back.notes?.some((n) => n.includes('module.'))).toBe(false);
  });

  const torchOk =
    existsSync('/usr/bin/python3') &&
    (() => {
      try {
        execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (!torchOk) console.warn('[skip] writePth → torch.load check: /usr/bin/python3 with torch not available');
  it.skipIf(!torchOk)('torch.load reads our export: keys, shapes, dtypes and bytes (incl. a re-exported fixture)', async () => {
    const files: string[] = [];
    const expected: Record<string, Record<string, { shape: number[]; dtype: string; sha: string }>> = {};
    const add = async (file: string, sd: StateDict): Promise<void> => {
      await writePth(file, sd);
      files.push(file);
      expected[file] = Object.fromEntries([...sd].map(([k, t]) => [`module.${k}`, { shape: t.shape, dtype: t.dtype, sha: sha(t) }]));
    };
    await add(path.join(dir, 'torch-mixed.pth'), mixed());
    if (sharedAvailable('MedicalNet fixtures (writePth re-export)')) {
      await add(path.join(dir, 'torch-d50.pth'), (await readPth(path.join(FIXTURES_DIR, 'd50_B_w8.pth'))).stateDict);
    }
    const script = [
      'import sys, json, hashlib, torch',
      "names = {torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16', torch.int64: 'int64', torch.int32: 'int32', torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool'}",
      'out = {}',
      'for f in sys.argv[1:]:',
      "    ck = torch.load(f, map_location='cpu')",
      "    assert list(ck.keys()) == ['state_dict'], ck.keys()",
      "    out[f] = {k: {'shape': list(v.shape), 'dtype': names[v.dtype], 'sha': hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest()} for k, v in ck['state_dict'].items()}",
      'print(json.dumps(out))',
    ].join('\n');
    const got = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' })) as typeof expected;
    for (const f of files) {
      expect(Object.keys(got[f]!), f).toEqual(Object.keys(expected[f]!));
      expect(got[f], f).toEqual(expected[f]);
    }
  }, 60_000);
});
