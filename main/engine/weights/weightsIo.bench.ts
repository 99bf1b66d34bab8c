/**
 * Weights I/O benchmark: a full-width (64) MedicalNet ResNet-50 + conv_seg (~185 MB) written as a
 * zip .pth, then read with readPth, loadWeights (+ inference), and round-tripped through our
 * checkpoint format; torch.load on the same file is the reference when /usr/bin/python3 has torch.
 * Run: node bin/run-ts.mjs main/engine/weights/weightsIo.bench.ts [depth]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelSpec, ResNetDepth } from '../models/ModelSpec';
import type { StateDict } from '../nn/StateDict';
import { modelLayout } from './resnetLayout';
import { writePth } from './writePth';
import { readPth } from './readPth';
import { loadWeights } from './loadWeights';
import { readCheckpoint, saveCheckpoint } from './checkpoint';

const depth = Number(process.argv[2] ?? 50) as ResNetDepth;
const spec: ModelSpec = { backbone: { depth, shortcut: 'B', baseWidth: 64, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 32 } };
const sd: StateDict = new Map();
for (const [k, e] of modelLayout(spec).layout) {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const data = e.dtype === 'int64' ? new BigInt64Array(n) : new Float32Array(n);
  if (data instanceof Float32Array) for (let i = 0; i < n; i += 97) data[i] = i;
  sd.set(k, { dtype: e.dtype, shape: e.shape, data });
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'weights-bench-'));
/** Best of `reps` runs (the machine may be shared; the minimum is the least disturbed). */
const time = async <T>(label: string, fn: () => Promise<T>, reps = 3): Promise<[T, number]> => {
  let best = Infinity;
  let r: T | undefined;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    r = await fn();
    best = Math.min(best, performance.now() - t);
  }
  console.log(`${label.padEnd(34)} ${best.toFixed(0).padStart(6)} ms (best of ${reps})`);
  return [r as T, best];
};
try {
  const pth = path.join(dir, `r${depth}.pth`);
  const m3d = path.join(dir, `r${depth}.m3d`);
  await time('writePth', () => writePth(pth, sd));
  const mb = statSync(pth).size / 2 ** 20;
  console.log(`ResNet-${depth} width 64: ${sd.size} tensors, ${mb.toFixed(1)} MiB`);
  const [, ours] = await time('readPth (CRC on)', () => readPth(pth));
  await time('readPth (CRC off)', () => readPth(pth, { verifyCrc: false }));
  await time('loadWeights (read + infer)', () => loadWeights(pth));
  await time('saveCheckpoint', () => saveCheckpoint(m3d, { spec, stateDict: sd, meta: { createdAt: new Date().toISOString() } }));
  await time('readCheckpoint', () => readCheckpoint(m3d));
  console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  try {
    const py = `import time, torch\nbest = 1e9\nfor _ in range(3):\n    t = time.perf_counter()\n    torch.load('${pth}', map_location='cpu')\n    best = min(best, (time.perf_counter() - t) * 1000)\nprint(best)`;
    const out = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
    const ref = Number(out.trim());
    console.log(`torch.load (reference)             ${ref.toFixed(0).padStart(6)} ms (best of 3)   readPth/torch.load = ${(ours / ref).toFixed(2)}x`);
  } catch {
    console.log('torch.load reference skipped (/usr/bin/python3 with torch not available)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
