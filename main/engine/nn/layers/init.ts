import * as tf from '@tensorflow/tfjs-core';

/**
 * Deterministic weight initialisers. Each call takes an explicit seed so a model built twice
 * with the same seed has identical weights (reproducible training runs).
 */
export class SeedSequence {
  private n = 0;
  constructor(private readonly base: number) {}
  next(): number {
    this.n += 1;
    // Spread consecutive seeds (tfjs's seeded RNG correlates nearby integer seeds weakly).
    return (Math.imul(this.base ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(this.n, 0xc2b2ae35)) >>> 0;
  }
}

/** kaiming_normal_(mode='fan_out', nonlinearity='relu') as MedicalNet initialises its convs. */
export function kaimingNormalFanOut(shape: number[], fanOut: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanOut), 'float32', seed);
}

/** PyTorch's default Linear / conv bias init: U(-1/√fanIn, 1/√fanIn). */
export function uniformFanIn(shape: number[], fanIn: number, seed: number): tf.Tensor {
  const b = 1 / Math.sqrt(fanIn);
  return tf.randomUniform(shape, -b, b, 'float32', seed);
}
