import { describe, expect, it, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec } from '../models/ModelSpec';
import type { StateDict } from '../nn/StateDict';
import { encodeCheckpoint, parseCheckpoint, readCheckpoint, saveCheckpoint, type Med3dCheckpoint } from './checkpoint';
import { modelLayout } from './resnetLayout';
import { loadWeights } from './loadWeights';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: ModelSpec = { backbone: { depth: 10, shortcut: 'B', baseWidth: 2, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 4 } };

/** Random weights with exactly the layout of `spec` (seeded, so failures reproduce). */
function randomStateDict(s: ModelSpec, seed = 1): StateDict {
  let x = seed;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const sd: StateDict = new Map();
  for (const [k, e] of modelLayout(s).layout) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    sd.set(k, e.dtype === 'int64' ? { dtype: 'int64', shape: e.shape, data: BigInt64Array.from({ length: n }, () => 3n) } : { dtype: 'float32', shape: e.shape, data: Float32Array.from({ length: n }, rnd) });
  }
  return sd;
}

function sample(): Med3dCheckpoint {
  const sd = randomStateDict(spec);
  const opt: StateDict = new Map([
    ['conv1.weight.exp_avg', { dtype: 'float32', shape: [2, 1, 7, 7, 7], data: Float32Array.from({ length: 686 }, (_, i) => i / 7) }],
    ['conv1.weight.exp_avg_sq', { dtype: 'float64', shape: [3], data: new Float64Array([1e-300, 2, 3]) }],
    ['mask', { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['half', { dtype: 'float16', shape: [1], data: new Uint16Array([0x3c00]) }],
  ]);
  return {
    spec,
    stateDict: sd,
    optimizer: { kind: 'adam', step: 42, state: opt, hyper: { lr: 1e-3, betas: [0.9, 0.999], groups: [{ prefix: 'conv_seg.', lrScale: 100 }] } },
    meta: {
      createdAt: '2026-11-27T08:00:00.000Z',
      task: 'lung-segmentation',
      preprocessing: { spacing: [1.5, 1.5, 1.5], clip: [0.5, 99.5], zscore: true },
      history: [{ epoch: 1, step: 10, loss: 0.7, metrics: { dice: 0.5 } }],
      parent: 'v1',
    },
  };
}

describe('Med3D checkpoint format', () => {
  it('round-trips weights, optimizer state and metadata exactly, in order', async () => {
    const file = path.join(dir, 'a.m3d');
    const c = sample();
    await saveCheckpoint(file, c);
    const back = await readCheckpoint(file);
    expect(back.spec).toEqual(c.spec);
    expect(back.meta).toEqual(c.meta);
    expect([...back.stateDict.keys()]).toEqual([...c.stateDict.keys()]);
    for (const [k, t] of c.stateDict) expect(back.stateDict.get(k), k).toEqual(t);
    expect(back.optimizer?.kind).toBe('adam');
    expect(back.optimizer?.step).toBe(42);
    expect(back.optimizer?.hyper).toEqual(c.optimizer!.hyper);
    expect([...back.optimizer!.state]).toEqual([...c.optimizer!.state]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is a safetensors file: 8-byte header length, JSON header with dtype/shape/data_offsets, aligned data', () => {
    const bytes = Buffer.concat(encodeCheckpoint(sample()));
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }> & { __metadata__: Record<string, string> };
    expect(header['conv1.weight']).toEqual({ dtype: 'F32', shape: [2, 1, 7, 7, 7], data_offsets: [0, 2744] });
    expect(header['@optimizer/conv1.weight.exp_avg_sq']?.dtype).toBe('F64');
    expect(header.__metadata__.format).toBe('pt');
    expect(header.__metadata__['med3d.format']).toBe('med3d-checkpoint/1');
    expect(bytes.readFloatLE(8 + n)).toBe((sample().stateDict.get('conv1.weight')!.data as Float32Array)[0]);
  });

  it('without optimizer state', async () => {
    const file = path.join(dir, 'b.m3d');
    const { optimizer: _o, ...c } = sample();
    await saveCheckpoint(file, c);
    const back = await readCheckpoint(file);
    expect(back.optimizer).toBeUndefined();
    expect(back.stateDict.size).toBe(c.stateDict.size);
  });

  it('an invalid checkpoint is refused before anything is written; the old file survives', async () => {
    const file = path.join(dir, 'c.m3d');
    await saveCheckpoint(file, sample());
    const before = readFileSync(file);
    const bad = { ...sample(), spec: { ...spec, backbone: { ...spec.backbone, depth: 11 } } } as unknown as Med3dCheckpoint;
    await expect(saveCheckpoint(file, bad)).rejects.toThrow(`${file}: model spec: unknown depth 11`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  const good = (): Buffer => Buffer.concat(encodeCheckpoint(sample()));
  it.each([
    ['truncated', () => good().subarray(0, good().length - 10), /^x\.m3d: truncated: tensor '@optimizer\/conv1\.weight\.exp_avg_sq' ends at data byte \d+, data section has \d+$/],
    ['truncated header', () => good().subarray(0, 30), /^x\.m3d: truncated: header needs/],
    [
      'flipped weight byte',
      () => {
        const b = good();
        const n = Number(b.readBigUInt64LE(0));
        b[8 + n + 5]! ^= 0x10;
        return b;
      },
      'x.m3d: corrupt checkpoint: tensor data CRC mismatch',
    ],
    [
      'plain safetensors without our metadata',
      () => {
        const h = Buffer.from(JSON.stringify({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(h.length));
        return Buffer.concat([len, h, Buffer.alloc(4)]);
      },
      'x.m3d: safetensors file without Med3D checkpoint metadata',
    ],
  ])('%s → one-line error naming the file', (_t, make, msg) => {
    expect(() => parseCheckpoint(make(), 'x.m3d')).toThrow(msg);
  });
});

describe('loadWeights on our checkpoints', () => {
  it('returns kind med3d, the stored spec and the checkpoint', async () => {
    const file = path.join(dir, 'd.m3d');
    await saveCheckpoint(file, sample());
    const w = await loadWeights(file);
    expect(w.kind).toBe('med3d');
    expect(w.spec).toEqual(spec);
    expect(w.checkpoint?.optimizer?.step).toBe(42);
  });

  it('refuses a checkpoint whose tensors disagree with its spec, and one of another architecture', async () => {
    const file = path.join(dir, 'e.m3d');
    const c = sample();
    c.stateDict.delete('layer4.0.bn2.bias');
    await saveCheckpoint(file, c);
    await expect(loadWeights(file)).rejects.toThrow(`${file}: tensors disagree with the checkpoint's own architecture: weights do not match ResNet-10`);
    const ok = path.join(dir, 'f.m3d');
    await saveCheckpoint(ok, sample());
    await expect(loadWeights(ok, { expect: { ...spec, head: { kind: 'medicalnet-seg', classes: 3, hidden: 4 } } })).rejects.toThrow(
      /^.*f\.m3d: weights do not match ResNet-10 .*conv_seg\.6\.weight \[2,4,1,1,1\] expected \[3,4,1,1,1\]/,
    );
  });

  it('a file that is neither format names the file', async () => {
    const file = path.join(dir, 'junk.bin');
    writeFileSync(file, 'not weights at all');
    await expect(loadWeights(file)).rejects.toThrow(`${file}: not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream)`);
  });
});
