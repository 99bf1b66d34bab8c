import * as tf from '@tensorflow/tfjs-core';
import { isGradEnabled, Var } from '../autograd/Var';

/**
 * Run one network stage. When the graph is not recorded (inference), the stage runs in its own
 * tf.tidy so its intermediates are freed as soon as it returns, and `consumed` (the previous
 * stage's output, if we own it) is disposed: peak memory stays near two activations.
 */
export function stage(fn: () => Var, consumed: Var | null = null): Var {
  if (isGradEnabled()) return fn();
  const t = tf.tidy(() => fn().value);
  if (consumed && !consumed.value.isDisposed) consumed.value.dispose();
  return new Var(t);
}
