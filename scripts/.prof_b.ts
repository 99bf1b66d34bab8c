import * as tf from '@tensorflow/tfjs-core';
import { initEngineBackend } from '../main/engine/backend/selectBackend';
import { buildModel } from '../main/engine/models/buildModel';
import { backward, withGrad } from '../main/engine/nn/autograd/Var';
await initEngineBackend({ prefer: 'native' });
const model = buildModel({ backbone: { depth: 10, shortcut: 'B', baseWidth: 64, preActivation: false, inChannels: 1 }, head: { kind: 'medicalnet-seg', classes: 2, hidden: 32 } });
const x = tf.randomNormal([1, 56, 112, 112, 1]) as tf.Tensor5D;
const step = () => tf.tidy(() => withGrad(true, () => { const out = model.forward(x, { training: true }); const l = out.logits!.value; const g = backward(out.logits!, tf.onesLike(l)); for (const t of g.values()) t.dispose(); }));
step();
const prof = await tf.profile(() => { step(); });
const by = new Map<string, [number, number]>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by.set(k.name, e); }
console.log([...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([n, [t, c]]) => `${n} ${t.toFixed(0)}ms x${c}`).join('\n'));
const prof2 = await tf.profile(() => { const o = model.predict(x); o.logits?.dispose(); o.features.dispose(); });
const by2 = new Map<string, [number, number]>();
for (const k of prof2.kernels) { const e = by2.get(k.name) ?? [0, 0]; e[0] += k.kernelTimeMs as number; e[1]++; by2.set(k.name, e); }
console.log('--- predict\n' + [...by2].sort((a, b) => b[1][0] - a[1][0]).slice(0, 10).map(([n, [t, c]]) => `${n} ${t.toFixed(0)}ms x${c}`).join('\n'));
