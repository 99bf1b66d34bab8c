import { describe, expect, it, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, REPO_ROOT, sharedAvailable } from '../../../test/sharedDir';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import type { StateDict } from '../../engine/nn/StateDict';
import { modelLayout } from '../../engine/weights/resnetLayout';
import { writePth } from '../../engine/weights/writePth';
import { readPth } from '../../engine/weights/readPth';
import { PickleWriter } from '../../engine/weights/pickle/PickleWriter';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function med3d(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const spec: ModelSpec = { backbone: { depth: 34, shortcut: 'A', baseWidth: 2, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 3, hidden: 4 } };
function synth(s: ModelSpec): StateDict {
  const sd: StateDict = new Map();
  for (const [k, e] of modelLayout(s).layout) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    sd.set(k, e.dtype === 'int64' ? { dtype: 'int64', shape: e.shape, data: new BigInt64Array(n) } : { dtype: 'float32', shape: e.shape, data: Float32Array.from({ length: n }, (_, i) => i * 1e-3) });
  }
  return sd;
}

describe('med3d weights (CLI)', () => {
  it.skipIf(!sharedAvailable('MedicalNet fixtures (CLI)'))('inspect --json on a MedicalNet legacy fixture', () => {
    const r = med3d('weights', 'inspect', path.join(FIXTURES_DIR, 'd18_A_w8.legacy.pth'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { format: string; spec: ModelSpec; tensorCount: number; topLevelKeys: string[] };
    expect(j.format).toBe('legacy');
    expect(j.spec).toEqual({ backbone: { depth: 18, shortcut: 'A', baseWidth: 8, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 32 } });
    expect(j.tensorCount).toBe(116);
    expect(j.topLevelKeys).toEqual(['state_dict']);
  });

  it('import .pth → .m3d → inspect → export .pth round-trips the tensors', async () => {
    const pth = path.join(dir, 'r34.pth');
    const m3d = path.join(dir, 'r34.m3d');
    const out = path.join(dir, 'r34-out.pth');
    const sd = synth(spec);
    await writePth(pth, sd);
    const imp = med3d('weights', 'import', pth, m3d, '--task', 'lung-segmentation');
    expect(imp.stderr).toBe('');
    expect(imp.stdout).toContain('ResNet-34 (basic, shortcut A, width 2, 1 input channel) + medicalnet-seg head (3 classes, 4 hidden)');
    const ins = med3d('weights', 'inspect', m3d);
    expect(ins.code).toBe(0);
    expect(ins.stdout).toMatch(/format: +Med3D checkpoint/);
    expect(ins.stdout).toMatch(/task: +lung-segmentation/);
    expect(ins.stdout).toMatch(new RegExp(`tensors: +${sd.size}`));
    expect(med3d('weights', 'export', m3d, out).code).toBe(0);
    const back = await readPth(out);
    expect([...back.stateDict.keys()]).toEqual([...sd.keys()]);
    expect(back.stateDict.get('conv_seg.6.weight')).toEqual(sd.get('conv_seg.6.weight'));
  });

  it('wrong architecture (block counts of no ResNet depth) → one line naming the file, exit 1', async () => {
    const sd = synth(spec);
    for (const k of [...sd.keys()]) if (k.startsWith('layer3.5.')) sd.delete(k);
    const bad = path.join(dir, 'odd.pth');
    await writePth(bad, sd);
    const r = med3d('weights', 'inspect', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`med3d: ${bad}: no 3D ResNet depth has basic blocks per stage [3,4,5,3] (known: 10:basic[1,1,1,1] 18:basic[2,2,2,2] 34:basic[3,4,6,3] 50:bottleneck[3,4,6,3] 101:bottleneck[3,4,23,3] 152:bottleneck[3,8,36,3] 200:bottleneck[3,24,36,3])\n`);
  });

  it('corrupt, truncated and unknown-GLOBAL files → one line naming the file and the cause, exit 1', async () => {
    const good = path.join(dir, 'good.pth');
    await writePth(good, synth({ ...spec, backbone: { ...spec.backbone, depth: 10 } }));
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(good);
    const truncated = path.join(dir, 'truncated.pth');
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const evil = path.join(dir, 'evil.pth');
    const pkl = new PickleWriter().proto(2).global('os', 'system').str('echo pwned').tuple1().reduce().stop().finish();
    const magic = new PickleWriter().proto(2).int(0x1950a86a20f9469cfc6cn).stop().finish();
    const proto = new PickleWriter().proto(2).int(1001).stop().finish();
    const sys = new PickleWriter().proto(2).emptyDict().stop().finish();
    writeFileSync(evil, Buffer.concat([magic, proto, sys, pkl]));
    for (const [file, cause] of [
      [truncated, 'truncated or corrupt zip: no end-of-central-directory record'],
      [evil, 'refusing pickle GLOBAL os.system (not in the allowlist)'],
    ] as const) {
      const r = med3d('weights', 'inspect', file);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`med3d: ${file}: ${cause}\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('inspect recognises the head from the head shapes alone: TensorFlow.js is never loaded (the probe sees it when it is)', async () => {
    const file = path.join(dir, 'probe.pth');
    await writePth(file, synth(spec));
    // tfjs-core makes its engine global when it loads; the probe reports it as the process exits (NODE_OPTIONS splits on spaces: none in it).
    const probe = "--import=data:text/javascript,process.on('exit',()=>process.stderr.write('tfjs-loaded:'+(globalThis._tfengine!==undefined)))";
    const run = (nodeOptions: string) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/med3d.mjs'), 'weights', 'inspect', file], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, MED3D_DEBUG: '', NODE_OPTIONS: nodeOptions } });
    const r = run(probe);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ResNet-34 .*medicalnet-seg head \(3 classes, 4 hidden\)/);
    expect(r.stderr).toBe('tfjs-loaded:false');
    expect(run(`--import=@tensorflow/tfjs-core ${probe}`).stderr).toBe('tfjs-loaded:true');
  });
});
