import { describe, expect, it } from 'vitest';
import { looksLikeCt } from './looksLikeCt';

describe('looksLikeCt', () => {
  it.each([
    ['NIfTI CT padded with -1024, bone to 3071', { modality: 'unknown', min: -1024, max: 3071 }, true],
    ['NIfTI CT with air at -1000 and contrast to 1200', { modality: 'unknown', min: -1000, max: 1200 }, true],
    ['Siemens padding -3024', { modality: 'unknown', min: -3024, max: 2500 }, true],
    ['declared CT whatever the values (a cropped soft-tissue patch)', { modality: 'CT', min: -50, max: 90 }, true],
    ['MR magnitude 0..4000', { modality: 'unknown', min: 0, max: 4000 }, false],
    ['z-scored data', { modality: 'unknown', min: -3.2, max: 6.1 }, false],
    ['MR phase -4096..4095', { modality: 'unknown', min: -4096, max: 4095 }, false],
    ['air only (no tissue above 150)', { modality: 'unknown', min: -1024, max: -200 }, false],
    ['declared MR with a CT-like range', { modality: 'MR', min: -1024, max: 3000 }, false],
    ['declared PT', { modality: 'PT', min: -1000, max: 2000 }, false],
  ])('%s → %s', (_title, facts, expected) => {
    expect(looksLikeCt(facts)).toBe(expected);
  });
});
