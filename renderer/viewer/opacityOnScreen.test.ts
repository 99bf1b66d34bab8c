import { describe, it, expect } from 'vitest';
import { opacityOnScreen } from './opacityOnScreen';

describe('opacityOnScreen', () => {
  it.each([
    // [opacity, sample distance / unit distance, on screen]
    [0.5, 1, 0.5],
    [0.5, 4 / 6, 0.37], // 1 × 1 × 2 mm voxels: sample distance (1 + 1 + 2) / 6, measured 0.371 in the app's render
    [0.9, 0.555, 0.72],
    [0, 0.7, 0],
    [1, 0.7, 1],
    [1.4, 0.7, 1],
  ])('opacity %f at exponent %f shows as %f', (a, e, want) => {
    expect(opacityOnScreen(a, e)).toBeCloseTo(want, 2);
  });
});
