import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { KernelProvider } from './KernelProvider';
import { adamUpdate } from './tfjs/adam';
import { batchNormBackward, batchNormInference, batchNormTrain } from './tfjs/batchNorm';
import { conv3d, conv3dBackpropFilter, conv3dBackpropInput } from './tfjs/conv3d';
import { maxPool3d, maxPool3dBackward } from './tfjs/maxPool3d';

/**
 * The reference provider on plain tfjs ops ('tfjs-cpu'): the fallback that always works and the
 * yardstick every faster provider is tested against. Uses whatever tfjs backend is active
 * (the JS 'cpu' backend unless another was registered).
 */
export function createTfjsKernels(): KernelProvider {
  return {
    name: 'tfjs-cpu',
    conv3d,
    conv3dBackpropInput,
    conv3dBackpropFilter,
    batchNormTrain,
    batchNormInference,
    batchNormBackward,
    maxPool3d,
    maxPool3dBackward,
    adamUpdate,
    conv3dBiasAct(x, filter, bias, g, residual, relu) {
      return tf.tidy(() => {
        let y: tf.Tensor5D = conv3d(x, filter, g);
        if (bias) y = tf.add(y, bias);
        if (residual) y = tf.add(y, residual);
        return relu ? tf.relu(y) : y;
      });
    },
  };
}
