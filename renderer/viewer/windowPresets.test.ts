import { describe, it, expect } from 'vitest';
import { WINDOW_PRESETS, defaultWindow, rangeToWindow, windowToRange } from './windowPresets';

describe('window presets', () => {
  it('has the five presets with unique keys', () => {
    expect(WINDOW_PRESETS.map((p) => p.id)).toEqual(['lung', 'mediastinum', 'abdomen', 'bone', 'brain']);
    expect(new Set(WINDOW_PRESETS.map((p) => p.key)).size).toBe(5);
  });
  it('converts width/centre ↔ range', () => {
    expect(windowToRange(1500, -600)).toEqual({ lower: -1350, upper: 150 });
    expect(rangeToWindow(-1350, 150)).toEqual({ width: 1500, center: -600 });
  });
  it('picks a CT window for HU data and the data range otherwise', () => {
    expect(defaultWindow('CT', -1024, 3000)).toEqual({ width: 400, center: 40 });
    expect(defaultWindow('MR', 0, 800)).toEqual({ width: 800, center: 400 });
    expect(defaultWindow('MR', 5, 5).width).toBe(1);
  });
});
