import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { conv3d } from '../main/engine/nn/kernels/tfjs/conv3d';
const cases: [number[], number[], any, string][] = [
  [[1, 56, 112, 112, 1], [7, 7, 7, 1, 64], { strides: [2, 2, 2], pads: [3, 3, 3], dilations: [1, 1, 1] }, 'conv1'],
  [[1, 14, 28, 28, 64], [3, 3, 3, 64, 64], { strides: [1, 1, 1], pads: [1, 1, 1], dilations: [1, 1, 1] }, 'layer1'],
  [[1, 7, 14, 14, 256], [3, 3, 3, 256, 256], { strides: [1, 1, 1], pads: [2, 2, 2], dilations: [2, 2, 2] }, 'layer3 dil2'],
];
for (const [xs, ws, g, name] of cases) {
  const x = tf.randomNormal(xs) as tf.Tensor5D; const w = tf.randomNormal(ws) as tf.Tensor5D;
  const t = performance.now(); const y = conv3d(x, w, g); y.dataSync();
  const ms = performance.now() - t;
  const fl = y.size * ws[0] * ws[1] * ws[2] * ws[3] * 2;
  console.log(name, (ms / 1000).toFixed(2), 's', (fl / ms / 1e6).toFixed(2), 'GF/s');
}
