import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, sharedAvailable } from '../../../test/sharedDir';
import type { ModelSpec, ResNetDepth } from '../models/ModelSpec';
import type { StateDict } from '../nn/StateDict';
import { checkAgainstSpec, inferArchitecture, parameterCount } from './inferArchitecture';
import { modelLayout } from './resnetLayout';
import { readPth } from './readPth';
import { withBnCounters } from './loadWeights';
import { createHeadRegistry } from '../models/heads/headRegistry';

const heads = createHeadRegistry();

/** A zero-filled state dict with exactly the layout `spec` implies. */
function synth(spec: ModelSpec): StateDict {
  const sd: StateDict = new Map();
  for (const [k, e] of modelLayout(spec).layout) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    sd.set(k, { dtype: e.dtype, shape: e.shape, data: e.dtype === 'int64' ? new BigInt64Array(n) : new Float32Array(n) });
  }
  return sd;
}
const spec = (depth: ResNetDepth, shortcut: 'A' | 'B', extra: Partial<ModelSpec['backbone']> = {}, head: ModelSpec['head'] = { kind: 'medicalnet-seg', classes: 3, hidden: 4 }): ModelSpec => ({
  backbone: { depth, shortcut, baseWidth: 2, preActivation: false, inChannels: 1, ...extra },
  head,
});

describe('inferArchitecture on synthetic state dicts', () => {
  const depths: ResNetDepth[] = [10, 18, 34, 50, 101, 152, 200];
  it.each(depths.flatMap((d) => (['A', 'B'] as const).map((s) => [d, s] as const)))('ResNet-%i shortcut %s width 2 round-trips', (depth, shortcut) => {
    const s = spec(depth, shortcut);
    const got = inferArchitecture(heads, synth(s));
    expect(got.spec).toEqual(s);
    expect(got.tensorCount).toBe(modelLayout(s).layout.size);
  });

  it('pre-activation, 2 input channels, width 3, encoder only', () => {
    const s = spec(50, 'B', { preActivation: true, inChannels: 2, baseWidth: 3 }, { kind: 'none' });
    const got = inferArchitecture(heads, synth(s));
    expect(got.spec).toEqual(s);
    expect(got.notes.join(' ')).toMatch(/encoder only/);
  });

  it('reports unknown extra keys in notes instead of failing', () => {
    const sd = synth(spec(10, 'B'));
    sd.set('aux.fc.weight', { dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
    sd.set('aux.fc.bias', { dtype: 'float32', shape: [2], data: new Float32Array(2) });
    expect(inferArchitecture(heads, sd).notes).toContain('unrecognised extra keys (not used by any known head): aux.* (2)');
  });

  it('tolerates files without num_batches_tracked (pre-0.4.1 PyTorch) and loadWeights fills them with 0', () => {
    const s = spec(10, 'B');
    const sd = synth(s);
    for (const k of [...sd.keys()]) if (k.endsWith('num_batches_tracked')) sd.delete(k);
    const got = inferArchitecture(heads, sd);
    expect(got.spec).toEqual(s);
    expect(got.notes.join(' ')).toMatch(/num_batches_tracked buffers missing/);
    const filled = withBnCounters(sd, s);
    expect([...filled.keys()]).toEqual([...modelLayout(s).layout.keys()]);
    expect(filled.get('layer2.0.downsample.1.num_batches_tracked')).toEqual({ dtype: 'int64', shape: [], data: new BigInt64Array([0n]) });
  });

  it('names a missing backbone key and a wrong shape', () => {
    const sd = synth(spec(18, 'A'));
    sd.delete('layer3.1.bn2.running_var');
    expect(() => inferArchitecture(heads, sd)).toThrow(/1 missing key \(layer3\.1\.bn2\.running_var\)/);
    const sd2 = synth(spec(18, 'A'));
    sd2.set('layer2.1.conv1.weight', { dtype: 'float32', shape: [4, 4, 1, 3, 3], data: new Float32Array(144) });
    expect(() => inferArchitecture(heads, sd2)).toThrow(/layer2\.1\.conv1\.weight \[4,4,1,3,3\] expected \[4,4,3,3,3\]/);
  });

  it('rejects block counts of no known depth and non-MedicalNet files', () => {
    const sd = synth(spec(18, 'A'));
    for (const k of [...sd.keys()]) if (k.startsWith('layer4.1.')) sd.delete(k);
    expect(() => inferArchitecture(heads, sd)).toThrow(/no 3D ResNet depth has basic blocks per stage \[2,2,2,1\]/);
    expect(() => inferArchitecture(heads, new Map([['fc.weight', { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) }]]))).toThrow(
      "not a Med3D/MedicalNet 3D ResNet: no 'conv1.weight' tensor",
    );
  });

  it('checkAgainstSpec names missing, unexpected and wrong-shape keys for another architecture', () => {
    const sd = synth(spec(10, 'B'));
    expect(() => checkAgainstSpec(sd, spec(10, 'B'))).not.toThrow();
    expect(() => checkAgainstSpec(sd, spec(18, 'B'))).toThrow(/^weights do not match ResNet-18 .*missing keys \(layer1\.1\.conv1\.weight, /);
    expect(() => checkAgainstSpec(sd, spec(10, 'A'))).toThrow(/unexpected keys \(layer2\.0\.downsample\.0\.weight/);
    expect(() => checkAgainstSpec(sd, spec(10, 'B', { baseWidth: 4 }))).toThrow(/wrong shapes \(conv1\.weight \[2,1,7,7,7\] expected \[4,1,7,7,7\]/);
    expect(() => checkAgainstSpec(sd, spec(10, 'B', {}, { kind: 'medicalnet-seg', classes: 5, hidden: 4 }))).toThrow(/conv_seg\.6\.weight \[3,4,1,1,1\] expected \[5,4,1,1,1\]/);
  });

  it('parameterCount skips BN buffers', () => {
    const sd = synth(spec(10, 'B', {}, { kind: 'none' }));
    const all = [...sd.values()].reduce((a, t) => a + t.data.length, 0);
    const buffers = [...sd].filter(([k]) => /running_|num_batches/.test(k)).reduce((a, [, t]) => a + t.data.length, 0);
    expect(parameterCount(sd)).toBe(all - buffers);
  });
});

interface ManifestCase {
  name: string;
  model: { depth: number; shortcut: string; base_width: number; in_channels: number; num_seg_classes: number; seg_mid_channels: number };
  checkpoints: { file: string; encoder_only: boolean; n_tensors: number }[];
}
const haveShared = sharedAvailable('MedicalNet fixtures (inferArchitecture)');
const cases = haveShared ? (JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as { cases: ManifestCase[] }).cases : [];

describe.skipIf(!haveShared)('inferArchitecture on the MedicalNet fixtures', () => {
  it.each(cases.flatMap((c) => c.checkpoints.map((ck) => [ck.file, c, ck] as const)))('%s', async (file, c, ck) => {
    const { stateDict } = await readPth(path.join(FIXTURES_DIR, file));
    const got = inferArchitecture(heads, stateDict);
    expect(got.spec).toEqual({
      backbone: { depth: c.model.depth, shortcut: c.model.shortcut, baseWidth: c.model.base_width, preActivation: false, inChannels: c.model.in_channels },
      head: ck.encoder_only ? { kind: 'none' } : { kind: 'medicalnet-seg', classes: c.model.num_seg_classes, hidden: c.model.seg_mid_channels },
    });
    expect(got.tensorCount).toBe(ck.n_tensors);
    // The layout we derive lists keys in PyTorch's registration order.
    expect([...modelLayout(got.spec).layout.keys()]).toEqual([...stateDict.keys()]);
  });
});
