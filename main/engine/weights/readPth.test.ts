import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import { parsePth, readPth } from './readPth';
import { PickleWriter } from './pickle/PickleWriter';
import { f32, legacyPth, objectPickle, zipPth, type SynthTensor } from './testing/synthPth';
import { readZipDirectory } from './zip/readZip';
import type { StateTensor } from '../nn/StateDict';

interface ManifestCheckpoint {
  file: string;
  format: 'zip' | 'legacy';
  top_level_keys: string[];
  n_tensors: number;
  n_float_elements: number;
  encoder_only: boolean;
  state_dict_keys: { name: string; shape: number[]; dtype: string }[];
}
interface ManifestCase {
  name: string;
  checkpoints: ManifestCheckpoint[];
}

const haveShared = sharedAvailable('MedicalNet fixtures (readPth)');
const manifest = haveShared ? (JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as { cases: ManifestCase[] }) : { cases: [] };
const checkpoints = manifest.cases.flatMap((c) => c.checkpoints.map((ck) => [ck.file, ck] as const));

const tensorBytes = (t: StateTensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
const sha = (t: StateTensor): string => createHash('sha256').update(tensorBytes(t)).digest('hex');

describe.skipIf(!haveShared)('readPth on the MedicalNet fixtures', () => {
  it.each(checkpoints)('%s: keys, order, shapes and dtypes equal the manifest', async (file, ck) => {
    const r = await readPth(path.join(FIXTURES_DIR, file));
    expect(r.format).toBe(ck.format);
    expect(r.topLevelKeys).toEqual(ck.top_level_keys);
    expect(r.stateDict.size).toBe(ck.n_tensors);
    const got = [...r.stateDict].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype }));
    expect(got).toEqual(ck.state_dict_keys.map((k) => ({ ...k, name: k.name.replace(/^module\./, '') })));
    let floats = 0;
    for (const [name, t] of r.stateDict) {
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      if (t.dtype === 'float32') floats += t.data.length;
      if (name.endsWith('num_batches_tracked')) expect(t.data[0]).toBe(3n);
    }
    expect(floats).toBe(ck.n_float_elements);
    expect([...r.stateDict.keys()].some((k) => k.startsWith('conv_seg.'))).toBe(!ck.encoder_only);
  });

  it('zip and legacy files of the same case hold byte-identical tensors', async () => {
    const a = await readPth(path.join(FIXTURES_DIR, 'd10_B_w8.pth'));
    const b = await readPth(path.join(FIXTURES_DIR, 'd10_B_w8.legacy.pth'));
    expect([...b.stateDict.keys()]).toEqual([...a.stateDict.keys()]);
    for (const [k, t] of a.stateDict) expect(sha(b.stateDict.get(k)!), k).toBe(sha(t));
    // Running statistics are loaded, not defaulted: variance is not all ones, mean not all zeros.
    const rv = a.stateDict.get('layer1.0.bn1.running_var')!.data as Float32Array;
    expect(Array.from(rv).some((x) => Math.abs(x - 1) > 1e-3)).toBe(true);
  });

  const torchOk = existsSync('/usr/bin/python3') && (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!torchOk) console.warn('[skip] torch.load parity: /usr/bin/python3 with torch not available');
  it.skipIf(!torchOk)('every tensor equals torch.load byte for byte (sha256), both formats', async () => {
    const files = checkpoints.map(([f]) => path.join(FIXTURES_DIR, f));
    const script = [
      'import sys, json, hashlib, torch',
      'out = {}',
      'for f in sys.argv[1:]:',
      "    sd = torch.load(f, map_location='cpu')['state_dict']",
      "    out[f] = {k: hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest() for k, v in sd.items()}",
      'print(json.dumps(out))',
    ].join('\n');
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' })) as Record<string, Record<string, string>>;
    for (const f of files) {
      const r = await readPth(f);
      const mine = Object.fromEntries([...r.stateDict].map(([k, t]) => [`module.${k}`, sha(t)]));
      expect(mine, f).toEqual(ref[f]);
    }
  }, 60_000);
});

describe('readPth on files torch.save writes itself (views, dtypes, protocols)', () => {
  const torchOk = existsSync('/usr/bin/python3') && (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!torchOk) console.warn('[skip] torch.save-made variants: /usr/bin/python3 with torch not available');
  it.skipIf(!torchOk)('zip and legacy, pickle protocol 2 and 4: shared storages, offsets, transposes, every dtype, bare dicts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'readpth-torch-'));
    try {
      const script = [
        'import sys, os, json, hashlib, collections, torch',
        'd = sys.argv[1]',
        'torch.manual_seed(0)',
        'base = torch.randn(4, 6)',
        'sd = collections.OrderedDict()',
        "sd['module.base'] = base",
        "sd['module.row'] = base[1]",          // shares storage, offset 6
        "sd['module.tr'] = base.t()",          // strides (1, 6)
        "sd['module.step'] = base[:, ::2]",    // inner stride 2
        "sd['module.half'] = torch.randn(3).half()",
        "sd['module.bf16'] = torch.randn(5).bfloat16()",
        "sd['module.f64'] = torch.randn(2, 2).double()",
        "sd['module.i32'] = torch.arange(-3, 3, dtype=torch.int32)",
        "sd['module.i16'] = torch.arange(4, dtype=torch.int16)",
        "sd['module.i8'] = torch.tensor([-128, 127], dtype=torch.int8)",
        "sd['module.u8'] = torch.tensor([0, 255], dtype=torch.uint8)",
        "sd['module.b'] = torch.tensor([True, False])",
        "sd['module.nbt'] = torch.tensor(5)",
        "sd['module.param'] = torch.nn.Parameter(torch.ones(2))",
        'out = {}',
        'for name, kw, wrap in [("zip2", {}, True), ("zip4", {"pickle_protocol": 4}, False), ("legacy2", {"_use_new_zipfile_serialization": False}, True), ("legacy4", {"_use_new_zipfile_serialization": False, "pickle_protocol": 4}, False)]:',
        '    f = os.path.join(d, name + ".pth")',
        "    torch.save({'state_dict': sd, 'epoch': 3} if wrap else sd, f, **kw)",
        "    out[f] = {k[7:]: [str(v.dtype)[6:], list(v.shape), hashlib.sha256((v.float() if v.dtype == torch.bfloat16 else v).detach().contiguous().numpy().tobytes()).hexdigest()] for k, v in sd.items()}",
        'print(json.dumps(out))',
      ].join('\n');
      const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' })) as Record<string, Record<string, [string, number[], string]>>;
      const dtypeName: Record<string, string> = { float32: 'float32', float64: 'float64', float16: 'float16', int64: 'int64', int32: 'int32', int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool' };
      for (const [file, tensors] of Object.entries(ref)) {
        const r = await readPth(file);
        expect(r.format, file).toBe(file.includes('legacy') ? 'legacy' : 'zip');
        const mine = Object.fromEntries([...r.stateDict].map(([k, t]) => [k, [dtypeName[t.dtype], t.shape, sha(t)]]));
        // bfloat16 is widened to float32 exactly; compare against torch's own widening.
        tensors.bf16![0] = 'float32';
        expect(mine, file).toEqual(tensors);
        expect(r.topLevelKeys, file).toEqual(file.includes('2.pth') ? ['state_dict', 'epoch'] : []);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

// ---------- synthetic checkpoints built here, no ../shared needed

const STRIDED: SynthTensor[] = [
  // Transposed view of a 2x3 storage holding 0..5: contiguous result [[0,3],[1,4],[2,5]].
  { name: 'module.t', key: '0', cls: 'FloatStorage', numel: 6, offset: 0, size: [3, 2], stride: [1, 3], location: 'cuda:0' },
  // Offset view into the same storage: [2,3,4,5].
  { name: 'module.off', key: '0', cls: 'FloatStorage', numel: 6, offset: 2, size: [4], stride: [1], location: 'cuda:0' },
  { name: 'module.bn.num_batches_tracked', key: '1', cls: 'LongStorage', numel: 1, offset: 0, size: [], stride: [] },
];
const STORAGE0 = f32([0, 1, 2, 3, 4, 5]);
const STORAGE1 = new Uint8Array(new BigInt64Array([7n]).buffer);

describe('readPth on synthetic checkpoints', () => {
  it.each(['zip', 'legacy'] as const)('%s: storage offsets and strides made contiguous, cuda:0 mapped to CPU, int64 0-dim', (format) => {
    const bytes =
      format === 'zip'
        ? zipPth(objectPickle(STRIDED, { legacy: false }), { '0': STORAGE0, '1': STORAGE1 })
        : legacyPth(objectPickle(STRIDED, { legacy: true }), [['0', STORAGE0, 4], ['1', STORAGE1, 8]]);
    const r = parsePth(bytes, `x.${format}.pth`);
    expect(r.format).toBe(format);
    expect([...r.stateDict.keys()]).toEqual(['t', 'off', 'bn.num_batches_tracked']);
    expect(r.stateDict.get('t')).toMatchObject({ dtype: 'float32', shape: [3, 2] });
    expect(Array.from(r.stateDict.get('t')!.data as Float32Array)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(r.stateDict.get('off')!.data as Float32Array)).toEqual([2, 3, 4, 5]);
    expect(r.stateDict.get('bn.num_batches_tracked')).toEqual({ dtype: 'int64', shape: [], data: new BigInt64Array([7n]) });
    expect(r.notes?.join(' ')).toMatch(/cuda:0 were loaded to CPU/);
  });

  it('legacy: storage keys in arbitrary string order are matched by key, not position', () => {
    const ts: SynthTensor[] = [
      { name: 'a', key: '94000', cls: 'FloatStorage', numel: 2, offset: 0, size: [2], stride: [1] },
      { name: 'b', key: '1400', cls: 'DoubleStorage', numel: 1, offset: 0, size: [1], stride: [1] },
    ];
    const bytes = legacyPth(objectPickle(ts, { legacy: true }), [
      ['1400', new Uint8Array(new Float64Array([0.25]).buffer), 8],
      ['94000', f32([1.5, -2]), 4],
    ]);
    const r = parsePth(bytes, 'keys.pth');
    expect(Array.from(r.stateDict.get('a')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(r.stateDict.get('b')).toMatchObject({ dtype: 'float64', data: new Float64Array([0.25]) });
  });

  it('bare state dict (no wrapper): topLevelKeys is empty, prefix stripped', () => {
    const r = parsePth(zipPth(objectPickle(STRIDED.slice(2), { legacy: false, wrap: false }), { '1': STORAGE1 }), 'bare.pth');
    expect(r.topLevelKeys).toEqual([]);
    expect(r.stateDictKey).toBeNull();
    expect([...r.stateDict.keys()]).toEqual(['bn.num_batches_tracked']);
  });

  it('reads from disk and names the file on failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'readpth-'));
    try {
      const ok = path.join(dir, 'ok.pth');
      writeFileSync(ok, zipPth(objectPickle(STRIDED, { legacy: false }), { '0': STORAGE0, '1': STORAGE1 }));
      expect((await readPth(ok)).stateDict.size).toBe(3);
      await expect(readPth(path.join(dir, 'missing.pth'))).rejects.toThrow(`${path.join(dir, 'missing.pth')}: cannot read file (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const evil = (format: 'zip' | 'legacy'): Uint8Array => {
    // {'state_dict': OrderedDict(), 'x': os.system('echo pwned')}
    const pkl = objectPickle([], { legacy: format === 'legacy', extra: (w) => w.setitem().str('x').global('os', 'system').str('echo pwned').tuple1().reduce() });
    return format === 'zip' ? zipPth(pkl, {}) : legacyPth(pkl, []);
  };
  const zipOk = (): Uint8Array => zipPth(objectPickle(STRIDED, { legacy: false }), { '0': STORAGE0, '1': STORAGE1 });
  const legacyOk = (): Uint8Array => legacyPth(objectPickle(STRIDED, { legacy: true }), [['0', STORAGE0, 4], ['1', STORAGE1, 8]]);
  /** Flip one bit inside a record's data (not its headers), as silent disk corruption would. */
  const flipInRecord = (b: Uint8Array, name: string): Uint8Array => {
    const e = readZipDirectory(b).get(name)!;
    const dv = new DataView(b.buffer, b.byteOffset);
    const start = e.localHeaderOffset + 30 + dv.getUint16(e.localHeaderOffset + 26, true) + dv.getUint16(e.localHeaderOffset + 28, true);
    const c = b.slice();
    c[start + 5] = c[start + 5]! ^ 0x01;
    return c;
  };
  it.each([
    ['unknown GLOBAL (zip)', () => evil('zip'), 'bad.pth: refusing pickle GLOBAL os.system (not in the allowlist)'],
    ['unknown GLOBAL (legacy)', () => evil('legacy'), 'bad.pth: refusing pickle GLOBAL os.system (not in the allowlist)'],
    ['truncated zip', () => zipOk().subarray(0, 200), /^bad\.pth: truncated or corrupt zip/],
    ['truncated legacy pickle', () => legacyOk().subarray(0, 120), /^bad\.pth: truncated: pickle/],
    ['truncated legacy storage', () => legacyOk().subarray(0, legacyOk().length - 3), /^bad\.pth: truncated: storage '1' needs 8 bytes/],
    ['corrupt zip record (CRC)', () => flipInRecord(zipOk(), 'arch/data/0'), /^bad\.pth: corrupt zip: CRC mismatch in record 'arch\/data\/0'/],
    ['not a checkpoint', () => new TextEncoder().encode('hello world'), 'bad.pth: not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream)'],
    ['empty file', () => new Uint8Array(0), 'bad.pth: empty file'],
    ['zip without data.pkl', () => zipSync({ 'a/b.txt': new Uint8Array(3) }), 'bad.pth: zip archive without a data.pkl record (not a torch.save file)'],
    ['missing storage record', () => zipPth(objectPickle(STRIDED, { legacy: false }), { '0': STORAGE0 }), "bad.pth: zip archive lacks storage record 'arch/data/1'"],
    [
      'storage too short for the tensor',
      () => zipPth(objectPickle(STRIDED, { legacy: false }), { '0': STORAGE0.subarray(0, 16), '1': STORAGE1 }),
      /^bad\.pth: storage record 'arch\/data\/0' has 16 bytes, needs 24/,
    ],
  ])('%s → one-line error naming the file and the cause', (_t, make, msg) => {
    let err: unknown;
    try {
      parsePth(make(), 'bad.pth');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain('\n');
    if (typeof msg === 'string') expect((err as Error).message).toBe(msg);
    else expect((err as Error).message).toMatch(msg);
  });
});
