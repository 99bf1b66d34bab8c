import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PYTHON, torchAvailable } from '../../../test/pythonTorch';
import { REPO_ROOT } from '../../../test/sharedDir';
import { buildModel } from '../../engine/models/buildModel';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';
import { withGrad } from '../../engine/nn/autograd/Var';
import { loadWeights } from '../../engine/weights/loadWeights';
import { backboneLayout } from '../../engine/weights/resnetLayout';
import { exportEncoder } from './exportEncoder';

/**
 * A pretrained multi-domain model's encoder exported as .m3d and MedicalNet-layout .pth: exact
 * key layout, both files load back as encoder-only weights, and PyTorch's MedicalNet ResNet
 * (the re-typed copy in scripts/parity-pth-export.py) loads the .pth strictly and computes the
 * same layer4 features.
 */
const torchOk = torchAvailable('encoder .pth in PyTorch');

const dir = mkdtempSync(path.join(os.tmpdir(), 'export-encoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backbone = { depth: 10, shortcut: 'B', baseWidth: 4, preActivation: false, inChannels: 1 } as const;
const model = buildModel(createHeadRegistry(), { backbone, head: { kind: 'multi-domain', classesPerDomain: [2, 3] } }, { seed: 3 });
const DHW = [16, 16, 16] as const;
const input = Float32Array.from({ length: 16 ** 3 }, (_, i) => Math.sin(i * 0.37) + 0.1 * ((i * 7919) % 13));
// Move the BatchNorm running statistics off their initial values so that a wrong mapping shows.
withGrad(false, () => {
  const x = tf.tensor5d(input, [1, ...DHW, 1]);
  model.forward(x, { training: true, domain: 1 });
  x.dispose();
});
const features = model.predict(tf.tensor5d(input, [1, ...DHW, 1]), { domain: 0 }).features;
const m3d = path.join(dir, 'encoder.m3d');
const pth = path.join(dir, 'encoder.pth');

describe('exportEncoder', () => {
  it('writes the encoder only, in MedicalNet key order, as .m3d and .pth', async () => {
    await exportEncoder(model, { out: m3d, pth }, { task: 'pretrain' });
    const expected = [...backboneLayout(backbone).keys()];
    for (const file of [m3d, pth]) {
      const w = await loadWeights(file);
      expect(w.spec.head.kind, file).toBe('none');
      expect([...w.stateDict.keys()], file).toEqual(expected);
      expect([...w.stateDict.get('layer4.0.conv2.weight')!.data.slice(0, 5)]).toEqual([...model.stateDict().get('layer4.0.conv2.weight')!.data.slice(0, 5)]);
    }
    const w = await loadWeights(pth);
    expect(w.topLevelKeys).toEqual(['state_dict']);
    expect((await loadWeights(m3d)).checkpoint?.meta.task).toBe('pretrain');
  });

  it.skipIf(!torchOk)('PyTorch MedicalNet ResNet-10 loads the .pth strictly and computes the same features', () => {
    writeFileSync(path.join(dir, 'x.f32'), Buffer.from(input.buffer));
    writeFileSync(path.join(dir, 'f.f32'), Buffer.from((features.dataSync() as Float32Array).buffer));
    const py = `
import importlib.util, json, sys
import numpy as np, torch
spec = importlib.util.spec_from_file_location('parity', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
net = m.ResNet(10, 'B', 4, 1, 2, 8, with_head=False)
ck = torch.load(sys.argv[2], map_location='cpu')
sd = {k[len('module.'):]: v for k, v in ck['state_dict'].items()}
net.load_state_dict(sd, strict=True)
net.eval()
x = torch.from_numpy(np.fromfile(sys.argv[3], dtype='<f4').reshape(1, 1, 16, 16, 16))
with torch.no_grad():
    f, _ = net(x)
ours = np.fromfile(sys.argv[4], dtype='<f4').reshape(f.shape[0], f.shape[2], f.shape[3], f.shape[4], f.shape[1])
ref = f.permute(0, 2, 3, 4, 1).numpy()
print(json.dumps({'keys': len(sd), 'maxAbs': float(np.abs(ours - ref).max()), 'scale': float(np.abs(ref).max())}))
`;
    const r = spawnSync(PYTHON, ['-c', py, path.join(REPO_ROOT, 'scripts/parity-pth-export.py'), pth, path.join(dir, 'x.f32'), path.join(dir, 'f.f32')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    const rep = JSON.parse(r.stdout) as { keys: number; maxAbs: number; scale: number };
    expect(rep.keys).toBe(backboneLayout(backbone).size);
    expect(rep.scale).toBeGreaterThan(0);
    expect(rep.maxAbs).toBeLessThan(1e-4 * Math.max(1, rep.scale));
  }, 120_000);
});
