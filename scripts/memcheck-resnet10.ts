/**
 * Memory check (issue 2, "done means"): a full-width (64) MedicalNet ResNet-10 with random
 * weights, saved as a PyTorch .pth, then `med3d run-raw` on a 1×1×56×112×112 volume in a child
 * process; prints the child's peak RSS (target < 8 GiB) and checks the outputs' sizes.
 *
 *   node bin/run-ts.mjs scripts/memcheck-resnet10.ts [--device tfjs|native|auto|webgpu|...] [--shape 1,1,56,112,112]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel } from '../main/engine/models/buildModel';
import { writePth } from '../main/engine/weights/writePth';
import { createHeadRegistry } from '../main/engine/models/heads/headRegistry';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const backend = arg('device', 'auto');
const shape = arg('shape', '1,1,56,112,112').split(',').map(Number);
const LIMIT_GIB = 8;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'med3d-memcheck-'));
try {
  const model = buildModel(createHeadRegistry(), { backbone: { depth: 10, shortcut: 'B', baseWidth: 64, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 32 } }, { seed: 1 });
  const weights = path.join(dir, 'resnet_10_w64.pth');
  await writePth(weights, model.stateDict());
  model.dispose();
  const n = shape.reduce((a, b) => a * b, 1);
  const input = path.join(dir, 'input.bin');
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.37) + Math.cos(i * 0.011);
  writeFileSync(input, new Uint8Array(x.buffer));
  const out = path.join(dir, 'logits.bin');
  const feat = path.join(dir, 'features.bin');
  console.log(`ResNet-10 (width 64, ${(statSync(weights).size / 2 ** 20).toFixed(1)} MiB .pth), input ${shape.join('x')}, device ${backend}`);
  // GNU time reports the child's own peak RSS (%M, KiB), independent of this process.
  const t0 = performance.now();
  const res = spawnSync(
    '/usr/bin/time',
    ['-f', 'MAXRSS_KIB=%M', process.execPath, path.join(root, 'bin/med3d.mjs'), 'run-raw', '--weights', weights, '--input', input, '--shape', shape.join(','), '--out', out, '--features', feat],
    { env: { ...process.env, MED3D_DEVICE: backend, MED3D_BACKEND: '' }, encoding: 'utf8' },
  );
  process.stdout.write(res.stdout);
  const m = /MAXRSS_KIB=(\d+)/.exec(res.stderr);
  const gib = m ? Number(m[1]) / 2 ** 20 : Number.NaN;
  if (res.status !== 0) throw new Error(`run-raw exited with ${res.status}: ${res.stderr.trim()}`);
  console.log(`child wall ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${gib.toFixed(2)} GiB (limit ${LIMIT_GIB} GiB): ${gib < LIMIT_GIB ? 'OK' : 'OVER'}`);
  if (!(gib < LIMIT_GIB)) process.exitCode = 1;
  const [N, , D, H, W] = shape;
  const c = (v: number): number => Math.floor((v - 1) / 2) + 1;
  const f = [c(c(c(D))), c(c(c(H))), c(c(c(W)))];
  const wantLogits = N * 2 * f.reduce((a, b) => a * b, 1) * 8 * 4;
  const wantFeat = N * 512 * f.reduce((a, b) => a * b, 1) * 4;
  console.log(`logits ${statSync(out).size} bytes (expected ${wantLogits}), features ${statSync(feat).size} bytes (expected ${wantFeat})`);
  if (statSync(out).size !== wantLogits || statSync(feat).size !== wantFeat) process.exitCode = 1;
} catch (err) {
  console.error(`memcheck failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
